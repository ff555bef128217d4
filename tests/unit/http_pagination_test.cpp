#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>

#include "core/base64url.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"

using namespace payrollx;
using namespace payrollx::http;

namespace {

Request with_query(std::vector<std::pair<std::string, std::string>> query) {
  Request request;
  request.method = "GET";
  request.path = "/api/v1/things";
  request.query = std::move(query);
  return request;
}

// The problem a page request raises, or nullopt when it is accepted.
std::optional<Problem> page_problem(const Request& request) {
  RequestContext ctx(request, "req-1", "127.0.0.1");
  try {
    page_request(ctx);
  } catch (const Problem& problem) {
    return problem;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("http pagination: a cursor round-trips its keyset") {
  Keyset keyset{parse_timestamp("2026-11-25T06:00:00.123456Z").value(), Uuid::random()};
  auto cursor = encode_cursor(keyset);
  CHECK(cursor.find_first_of("+/=") == std::string::npos);  // URL-safe, unpadded
  auto decoded = decode_cursor(cursor);
  REQUIRE(decoded);
  CHECK(decoded->created_at == keyset.created_at);
  CHECK(decoded->id == keyset.id);

  Keyset before_epoch{Timestamp(std::chrono::microseconds(-5)), Uuid::random()};
  CHECK(decode_cursor(encode_cursor(before_epoch))->created_at == before_epoch.created_at);
}

TEST_CASE("http pagination: a cursor naming an instant outside years 1 to 9999 is refused") {
  // It would overflow on its way to the query, or make a timestamp PostgreSQL refuses (a 500).
  auto id = Uuid::random();
  auto cursor_at = [&](Timestamp instant) { return encode_cursor(Keyset{instant, id}); };
  using std::chrono::microseconds;
  CHECK_FALSE(decode_cursor(cursor_at(Timestamp(microseconds(INT64_MIN)))));
  CHECK_FALSE(decode_cursor(cursor_at(Timestamp(microseconds(INT64_MAX)))));
  CHECK_FALSE(decode_cursor(cursor_at(parse_timestamp("0000-12-31T23:59:59.999999Z").value())));
  CHECK_FALSE(decode_cursor(
      cursor_at(parse_timestamp("9999-12-31T23:59:59Z").value() + std::chrono::seconds(1))));
  CHECK(decode_cursor(cursor_at(parse_timestamp("0001-01-01T00:00:00Z").value())));
  CHECK(decode_cursor(cursor_at(parse_timestamp("9999-12-31T23:59:59.999999Z").value())));
}

TEST_CASE("http pagination: garbage cursors are refused") {
  auto id = Uuid::random().str();
  CHECK_FALSE(decode_cursor(""));
  CHECK_FALSE(decode_cursor("not a cursor"));
  CHECK_FALSE(decode_cursor("!!!!"));
  CHECK_FALSE(decode_cursor(base64url::encode("12345")));
  CHECK_FALSE(decode_cursor(base64url::encode("12x45:" + id)));
  CHECK_FALSE(decode_cursor(base64url::encode(":" + id)));
  CHECK_FALSE(decode_cursor(base64url::encode("12345:not-a-uuid")));
  CHECK_FALSE(decode_cursor(base64url::encode("99999999999999999999999:" + id)));
  CHECK_FALSE(decode_cursor(std::string(500, 'A')));
  CHECK(decode_cursor(base64url::encode("12345:" + id)));
}

TEST_CASE("http pagination: limit and cursor query parameters") {
  Request defaults = with_query({});
  RequestContext ctx(defaults, "req-1", "127.0.0.1");
  auto page = page_request(ctx);
  CHECK(page.limit == 50);
  CHECK_FALSE(page.after);

  Keyset keyset{now(), Uuid::random()};
  Request full = with_query({{"limit", "200"}, {"cursor", encode_cursor(keyset)}});
  RequestContext full_ctx(full, "req-2", "127.0.0.1");
  auto full_page = page_request(full_ctx);
  CHECK(full_page.limit == 200);
  REQUIRE(full_page.after);
  CHECK(full_page.after->id == keyset.id);

  for (std::string bad : {"0", "201", "-1", "abc", "", "10x", "1.5"}) {
    auto problem = page_problem(with_query({{"limit", bad}}));
    REQUIRE(problem);
    CHECK(problem->status() == 400);
    CHECK(problem->code() == "validation_failed");
    REQUIRE(problem->errors().size() == 1);
    CHECK(problem->errors()[0].field == "limit");
  }
  auto bad_cursor = page_problem(with_query({{"cursor", "garbage"}}));
  REQUIRE(bad_cursor);
  CHECK(bad_cursor->status() == 400);
  CHECK(bad_cursor->errors().at(0).field == "cursor");
}

TEST_CASE("http pagination: the list answer carries the next cursor or null") {
  boost::json::array rows{1, 2};
  auto last = list_answer(rows, std::nullopt);
  CHECK(last.at("data").as_array().size() == 2);
  CHECK(last.at("nextCursor").is_null());

  Keyset keyset{now(), Uuid::random()};
  auto more = list_answer(rows, keyset);
  CHECK(decode_cursor(more.at("nextCursor").as_string())->id == keyset.id);
}
