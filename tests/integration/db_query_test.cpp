// core/db against a real PostgreSQL: bound parameters, decoding of every supported type, the
// errors a store sees. The pool runs on two io threads, as in the server.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <limits>

#include "async.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "test_database.hpp"

using namespace payrollx;
using namespace std::chrono;
using boost::asio::awaitable;
using test::IoThreads;

namespace {

constexpr db::Query k_insert_note{"test.insert_note",
                                  "INSERT INTO notes (id, body, rank) VALUES ($1, $2, $3)"};
constexpr db::Query k_select_note{"test.select_note", "SELECT body, rank FROM notes WHERE id = $1"};

// A fresh database with a scratch table, and a pool on it.
struct Fixture {
  explicit Fixture(std::string_view label, db::PoolOptions options = {})
      : url(test::fresh_database(label)), sql(url) {
    sql.exec(
        "CREATE TABLE notes (id int PRIMARY KEY, body text, rank bigint,"
        " CONSTRAINT notes_body_key UNIQUE (body))");
    options.conninfo = url;
    pool = std::make_unique<db::Pool>(io.executor(), options, nullptr);
  }

  std::string url;
  test::Sql sql;
  IoThreads io{2};
  std::unique_ptr<db::Pool> pool;
};

}  // namespace

TEST_CASE("db query: bound parameters round-trip, NULL included, and are never SQL") {
  Fixture f("db_query_params");
  const std::string hostile = "'); DROP TABLE notes; --";
  f.io.run([&]() -> awaitable<void> {
    co_await f.pool->query(k_insert_note, 1, hostile, std::int64_t{-5});
    co_await f.pool->query(k_insert_note, 2, std::optional<std::string>{}, std::nullopt);
  });
  CHECK(f.sql.count("SELECT count(*) FROM notes") == 2);

  auto [body, rank] = f.io.run([&]() -> awaitable<std::pair<std::string, std::int64_t>> {
    auto result = co_await f.pool->query(k_select_note, 1);
    auto row = result.one();
    co_return std::pair(row.get<std::string>("body"), row.get<std::int64_t>("rank"));
  });
  CHECK(body == hostile);
  CHECK(rank == -5);

  f.io.run([&]() -> awaitable<void> {
    auto result = co_await f.pool->query(k_select_note, 2);
    auto row = result.one();
    CHECK(row.is_null(0));
    CHECK_FALSE(row.get<std::optional<std::string>>("body").has_value());
    CHECK_FALSE(row.get<std::optional<std::int64_t>>("rank").has_value());
    // A NULL only decodes into an optional.
    CHECK_THROWS_AS(row.get<std::string>("body"), db::DecodeError);
    CHECK_THROWS_AS(row.get<std::string>("no_such_column"), db::DecodeError);
    CHECK((co_await f.pool->query(k_select_note, 3)).empty());
  });
}

TEST_CASE("db query: every supported type decodes from the server's text output") {
  Fixture f("db_query_types");
  constexpr db::Query k_types{"test.types",
                              "SELECT 'héllo'::text AS text, 9007199254740993::bigint AS big,"
                              " (-7)::int AS small, true AS yes,"
                              " '0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09'::uuid AS id,"
                              " '2026-11-25 07:00:00.123456+01'::timestamptz AS at,"
                              " '2024-02-29'::date AS day, '{\"k\": [1, \"x\"]}'::jsonb AS doc,"
                              " ARRAY['a', 'b c', 'd\"e', 'f\\g', 'NULL', '']::text[] AS list"};
  f.io.run([&]() -> awaitable<void> {
    auto result = co_await f.pool->query(k_types);
    auto row = result.one();
    CHECK(row.get<std::string>("text") == "héllo");
    CHECK(row.get<std::int64_t>("big") == 9007199254740993);
    CHECK(row.get<int>("small") == -7);
    CHECK(row.get<bool>("yes"));
    CHECK(row.get<Uuid>("id").str() == "0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09");
    // The session runs in UTC: the instant is 06:00 UTC whatever offset went in.
    CHECK(to_rfc3339(row.get<Timestamp>("at")) == "2026-11-25T06:00:00.123456Z");
    CHECK(row.get<Date>("day") == Date{year{2024}, month{2}, day{29}});
    CHECK(row.get<boost::json::value>("doc") == boost::json::parse(R"({"k":[1,"x"]})"));
    CHECK(row.get<std::vector<std::string>>("list") ==
          std::vector<std::string>{"a", "b c", "d\"e", "f\\g", "NULL", ""});
    // Asking for the wrong type is a DecodeError, not garbage.
    CHECK_THROWS_AS(row.get<std::int64_t>("text"), db::DecodeError);
    CHECK_THROWS_AS(row.get<Uuid>("text"), db::DecodeError);
    // Columns are found by their whole name in any order, not only in the order selected.
    CHECK(row.get<int>("small") == -7);
    CHECK(row.get<std::string>("text") == "héllo");
    CHECK(row.get<bool>("yes"));
    CHECK_THROWS_AS(row.get<std::string>("tex"), db::DecodeError);
    CHECK_THROWS_AS(row.get<std::string>("texts"), db::DecodeError);
  });
}

TEST_CASE("db query: parameters of every type reach the server as the same values") {
  Fixture f("db_query_param_types");
  // Built outside the co_await: GCC 12 rejects braced lists inside one.
  auto id = Uuid::random();
  auto at = sys_days{year{2026} / 11 / 25} + hours{6} + microseconds{123456};
  auto leap_eve = Date{year{2024}, month{2}, day{28}};
  auto doc = boost::json::parse(R"({"name":"O'Brien \"Jr\""})");
  std::vector<std::string> texts{"a", "b c", "d\"e", "f\\g", "NULL", "", "{x,y}"};
  std::vector<std::int64_t> numbers{3, -4};
  std::vector<Uuid> ids{Uuid::random(), id};
  constexpr db::Query k_echo{
      "test.echo",
      "SELECT $1::uuid = '00000000-0000-0000-0000-000000000000'::uuid AS nil,"
      " $1::uuid::text AS id, $2::timestamptz = '2026-11-25 06:00:00.123456+00' AS same_instant,"
      " $3::date + 1 AS next_day, $4::jsonb ->> 'name' AS name, $5::bool AS flag,"
      " $6::text[] = ARRAY['a', 'b c', 'd\"e', 'f\\g', 'NULL', '', '{x,y}'] AS same_texts,"
      " cardinality($6::text[]) AS text_count, $7::bigint[] AS numbers,"
      " $1::uuid = ANY($8::uuid[]) AS found"};
  f.io.run([&]() -> awaitable<void> {
    auto result = co_await f.pool->query(k_echo, id, at, leap_eve, doc, false, texts, numbers, ids);
    auto row = result.one();
    CHECK_FALSE(row.get<bool>("nil"));
    CHECK(row.get<std::string>("id") == id.str());
    CHECK(row.get<bool>("same_instant"));
    CHECK(row.get<Date>("next_day") == Date{year{2024}, month{2}, day{29}});
    CHECK(row.get<std::string>("name") == R"(O'Brien "Jr")");
    CHECK_FALSE(row.get<bool>("flag"));
    CHECK(row.get<bool>("same_texts"));
    CHECK(row.get<int>("text_count") == 7);
    CHECK(row.get<std::string>("numbers") == "{3,-4}");
    CHECK(row.get<bool>("found"));
  });
}

// Integer and uuid arrays go binary (db::Param): every value, the extremes, their order and the
// empty array arrive as sent, on a pooled connection and on the shared pipeline alike.
TEST_CASE("db query: binary array parameters reach the server exactly") {
  Fixture f("db_query_binary_arrays");
  const std::vector<std::int64_t> numbers{0,
                                          1,
                                          -1,
                                          255,
                                          256,
                                          -256,
                                          std::numeric_limits<std::int64_t>::max(),
                                          std::numeric_limits<std::int64_t>::min()};
  const std::vector<Uuid> ids{*Uuid::parse("00000000-0000-4000-8000-000000000001"),
                              *Uuid::parse("ffffffff-ffff-4fff-bfff-ffffffffffff"),
                              *Uuid::parse("0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09")};
  const std::vector<std::int64_t> no_numbers;
  const std::vector<Uuid> no_ids;
  for (bool shared : {false, true}) {
    const db::Query k_arrays{.name = "test.binary_arrays",
                             .sql =
                                 "SELECT $1::bigint[]::text AS numbers, $2::uuid[]::text AS ids,"
                                 " cardinality($3::bigint[]) AS no_numbers,"
                                 " cardinality($4::uuid[]) AS no_ids,"
                                 " (SELECT sum(n) FROM unnest($1::bigint[]) n"
                                 "  WHERE n BETWEEN -1000 AND 1000) AS small_sum",
                             .shared = shared};
    f.io.run([&]() -> awaitable<void> {
      auto result = co_await f.pool->query(k_arrays, numbers, ids, no_numbers, no_ids);
      auto row = result.one();
      CHECK(row.get<std::string>("numbers") ==
            "{0,1,-1,255,256,-256,9223372036854775807,-9223372036854775808}");
      CHECK(row.get<std::string>("ids") ==
            "{00000000-0000-4000-8000-000000000001,ffffffff-ffff-4fff-bfff-ffffffffffff,"
            "0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09}");
      CHECK(row.get<int>("no_numbers") == 0);
      CHECK(row.get<int>("no_ids") == 0);
      CHECK(row.get<std::int64_t>("small_sum") == 255);
    });
  }
}

TEST_CASE("db query: a unique violation is a db::Error with its sqlstate and constraint") {
  Fixture f("db_query_unique");
  f.io.run([&]() -> awaitable<void> {
    co_await f.pool->query(k_insert_note, 1, "same", std::int64_t{1});
    try {
      co_await f.pool->query(k_insert_note, 2, "same", std::int64_t{2});
      FAIL("the duplicate was accepted");
    } catch (const db::Error& e) {
      CHECK(e.is_unique_violation());
      CHECK(e.sqlstate() == "23505");
      CHECK(e.constraint() == "notes_body_key");
      // Parameter values stay out of error texts (they may be personal data).
      CHECK(std::string_view(e.what()).find("same") == std::string_view::npos);
    }
    // The connection is still good for the next statement.
    CHECK((co_await f.pool->query(k_select_note, 1)).size() == 1);
  });
}

TEST_CASE("db query: a syntax error and a wrong parameter type are db::Errors, not crashes") {
  Fixture f("db_query_errors");
  constexpr db::Query k_broken{"test.broken", "SELEC 1"};
  constexpr db::Query k_int{"test.int", "SELECT $1::int AS n"};
  f.io.run([&]() -> awaitable<void> {
    try {
      co_await f.pool->query(k_broken);
      FAIL("a syntax error passed");
    } catch (const db::Error& e) {
      CHECK(e.sqlstate() == "42601");
    }
    try {
      co_await f.pool->query(k_int, "twelve");
      FAIL("a text went into an int");
    } catch (const db::Error& e) {
      CHECK(e.sqlstate() == "22P02");
    }
    // The same prepared statement still works on the connections that prepared it.
    for (int i = 0; i < 4; ++i) CHECK((co_await f.pool->query(k_int, i)).one().get<int>("n") == i);
  });
}

TEST_CASE("db query: statement_timeout cancels a long query with 57014") {
  Fixture f("db_query_timeout", {.statement_timeout = milliseconds(200)});
  constexpr db::Query k_sleep{"test.sleep", "SELECT pg_sleep(5)"};
  auto started = steady_clock::now();
  f.io.run([&]() -> awaitable<void> {
    try {
      co_await f.pool->query(k_sleep);
      FAIL("the query outlived its statement_timeout");
    } catch (const db::Error& e) {
      CHECK(e.is_query_canceled());
      CHECK(e.sqlstate() == "57014");
    }
  });
  CHECK(steady_clock::now() - started < seconds(4));
  f.io.run([&]() -> awaitable<void> { co_await f.pool->ping(); });
}
