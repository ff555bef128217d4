// Statements marked Query::shared, pipelined on one connection per io_context, against a real
// PostgreSQL: answers in order under concurrency, errors that stay with their own statement,
// recovery from a terminated or stopped backend, and the pool's accounting.
#include <unistd.h>

#include <boost/asio/this_coro.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <future>
#include <thread>

#include "async.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "eventually.hpp"
#include "test_database.hpp"

using namespace payrollx;
using namespace std::chrono;
using boost::asio::awaitable;
using test::eventually;
using test::IoThreads;

namespace {

constexpr db::Query k_square{
    .name = "test.shared_square", .sql = "SELECT ($1::int * $1::int) AS square", .shared = true};
constexpr db::Query k_tenth{
    .name = "test.shared_tenth", .sql = "SELECT (10 / $1::int) AS tenth", .shared = true};
constexpr db::Query k_pid{
    .name = "test.shared_pid", .sql = "SELECT pg_backend_pid() AS pid", .shared = true};
constexpr db::Query k_slow_pid{.name = "test.shared_slow_pid",
                               .sql = "SELECT pg_backend_pid() AS pid FROM pg_sleep($1::float8)",
                               .shared = true};
constexpr db::Query k_insert{.name = "test.shared_insert",
                             .sql = "INSERT INTO shared_writes VALUES ($1::int)",
                             .shared = true};
constexpr db::Query k_length{
    .name = "test.shared_length", .sql = "SELECT length($1::text) AS length", .shared = true};
constexpr db::Query k_missing_table{
    .name = "test.shared_missing", .sql = "SELECT id FROM no_such_table", .shared = true};

// A pool of 4: room for one pipeline (a quarter of the pool).
db::Pool make_pool(IoThreads& io, const std::string& url, const std::string& application,
                   milliseconds statement_timeout = seconds(60)) {
  return db::Pool(io.executor(),
                  {.conninfo = url,
                   .max_size = 4,
                   .statement_timeout = statement_timeout,
                   .application_name = application},
                  nullptr);
}

std::string application_name(std::string_view test) {
  return fmt::format("payrollx-test-{}-{}", test, ::getpid());
}

std::int64_t shared_pid(IoThreads& io, db::Pool& pool) {
  return io.run([&]() -> awaitable<std::int64_t> {
    co_return (co_await pool.query(k_pid)).one().get<std::int64_t>("pid");
  });
}

}  // namespace

TEST_CASE("db pipeline: concurrent shared statements on two threads share one connection") {
  auto url = test::fresh_database("db_pipeline_concurrent");
  IoThreads io(2);
  const auto application = application_name("pipeline-concurrent");
  auto pool = make_pool(io, url, application);
  const auto pid = shared_pid(io, pool);  // opens the pipeline

  // 200 coroutines at once, 20 statements each: a pooled connection per statement in flight
  // would need the whole pool, and wait for it. Each counts the answers that were not its own.
  std::vector<std::future<int>> wrong_answers;
  for (int c = 0; c < 200; ++c) {
    wrong_answers.push_back(io.spawn([&pool, c]() -> awaitable<int> {
      int wrong = 0;
      for (std::int64_t i = c * 20; i < c * 20 + 20; ++i) {
        auto square = (co_await pool.query(k_square, i)).one().get<std::int64_t>("square");
        if (square != i * i) ++wrong;
      }
      co_return wrong;
    }));
  }
  int wrong = 0;
  for (auto& count : wrong_answers) wrong += count.get();
  CHECK(wrong == 0);

  CHECK(shared_pid(io, pool) == pid);
  CHECK(pool.stats().size == 1);
  test::Sql admin(test::admin_url());
  CHECK(admin.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    {application}) == 1);
}

TEST_CASE("db pipeline: statements larger than the socket's buffers are sent in parts") {
  auto url = test::fresh_database("db_pipeline_large");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-large"));
  const auto pid = shared_pid(io, pool);
  // 8 statements of 4 MiB each at once: libpq cannot write them in one go, so the rest goes out
  // as the socket drains, while the small statements in between are answered in order.
  std::vector<std::future<std::int64_t>> lengths;
  for (int i = 0; i < 8; ++i) {
    const std::size_t size = (std::size_t{4} << 20) + static_cast<std::size_t>(i);
    lengths.push_back(io.spawn([&pool, size]() -> awaitable<std::int64_t> {
      std::string text(size, 'x');
      co_return (co_await pool.query(k_length, text)).one().get<std::int64_t>("length");
    }));
    lengths.push_back(io.spawn([&pool, i]() -> awaitable<std::int64_t> {
      co_return (co_await pool.query(k_square, i)).one().get<std::int64_t>("square");
    }));
  }
  for (int i = 0; i < 8; ++i) {
    CHECK(lengths[static_cast<std::size_t>(2 * i)].get() == (std::int64_t{4} << 20) + i);
    CHECK(lengths[static_cast<std::size_t>(2 * i + 1)].get() == i * i);
  }
  CHECK(shared_pid(io, pool) == pid);
  CHECK(pool.stats().size == 1);
}

TEST_CASE("db pipeline: a failing shared statement fails alone") {
  auto url = test::fresh_database("db_pipeline_failure");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-failure"));
  shared_pid(io, pool);

  // Division by zero in the middle of 100 statements in flight together.
  std::vector<std::future<int>> tenths;
  for (int divisor = -50; divisor < 50; ++divisor) {
    tenths.push_back(io.spawn([&pool, divisor]() -> awaitable<int> {
      co_return (co_await pool.query(k_tenth, divisor)).one().get<int>("tenth");
    }));
  }
  int failures = 0;
  for (int divisor = -50; divisor < 50; ++divisor) {
    auto& tenth = tenths[static_cast<std::size_t>(divisor + 50)];
    if (divisor == 0) {
      try {
        tenth.get();
      } catch (const db::Error& e) {
        CHECK(e.sqlstate() == "22012");
        ++failures;
      }
    } else {
      CHECK(tenth.get() == 10 / divisor);
    }
  }
  CHECK(failures == 1);
  CHECK(pool.stats().size == 1);
}

TEST_CASE("db pipeline: a shared statement that cannot be prepared fails each time, alone") {
  auto url = test::fresh_database("db_pipeline_prepare");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-prepare"));
  const auto pid = shared_pid(io, pool);
  auto missing = [&pool]() -> awaitable<std::string> {
    try {
      co_await pool.query(k_missing_table);
      co_return "ran";
    } catch (const db::Error& e) {
      co_return e.sqlstate();
    }
  };
  // One after the other: never 42P05 (prepared twice) the second time.
  CHECK(io.run(missing) == "42P01");
  CHECK(io.run(missing) == "42P01");
  // Together: those sent behind the failing Prepare (26000 there) are sent again and fail alike.
  std::vector<std::future<std::string>> together;
  for (int i = 0; i < 10; ++i) together.push_back(io.spawn(missing));
  for (auto& sqlstate : together) CHECK(sqlstate.get() == "42P01");
  CHECK(shared_pid(io, pool) == pid);
}

TEST_CASE("db pipeline: a shared statement that is not a SELECT is refused and writes nothing") {
  auto url = test::fresh_database("db_pipeline_read_only");
  test::Sql sql(url);
  sql.exec("CREATE TABLE shared_writes (value int)");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-read-only"));
  shared_pid(io, pool);
  CHECK_THROWS_AS(io.run([&]() -> awaitable<void> { co_await pool.query(k_insert, 7); }),
                  std::logic_error);
  CHECK(sql.count("SELECT count(*) FROM shared_writes") == 0);
  // Case and leading white space do not matter.
  constexpr db::Query k_lower_select{
      .name = "test.shared_lower", .sql = "\n  select 1 AS one", .shared = true};
  CHECK(io.run([&]() -> awaitable<int> {
    co_return (co_await pool.query(k_lower_select)).one().get<int>("one");
  }) == 1);
}

TEST_CASE("db pipeline: after its backend is terminated, shared statements succeed") {
  auto url = test::fresh_database("db_pipeline_terminate");
  IoThreads io(2);
  const auto application = application_name("pipeline-terminate");
  auto pool = make_pool(io, url, application);
  test::Sql admin(test::admin_url());
  const auto idle_pid = shared_pid(io, pool);

  // Terminated while idle: the next statements go to a pooled connection or a new pipeline,
  // also those sent before the pipeline saw its end.
  admin.exec("SELECT pg_terminate_backend($1::int)", {std::to_string(idle_pid)});
  std::vector<std::future<std::int64_t>> pids;
  for (int i = 0; i < 20; ++i)
    pids.push_back(io.spawn([&]() -> awaitable<std::int64_t> {
      co_return (co_await pool.query(k_pid)).one().get<std::int64_t>("pid");
    }));
  for (auto& pid : pids) CHECK(pid.get() != idle_pid);

  // Terminated while running a statement: a read, so it runs again.
  const auto busy_pid = shared_pid(io, pool);
  auto slow = io.spawn([&]() -> awaitable<std::int64_t> {
    co_return (co_await pool.query(k_slow_pid, "0.5")).one().get<std::int64_t>("pid");
  });
  REQUIRE(eventually([&] {
    return admin.count(
               "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int "
               "AND query LIKE '%pg_sleep%' AND state = 'active'",
               {std::to_string(busy_pid)}) == 1;
  }));
  admin.exec("SELECT pg_terminate_backend($1::int)", {std::to_string(busy_pid)});
  CHECK(slow.get() != busy_pid);

  // The dead pipelines gave their room back: the pool holds no more than it has open.
  REQUIRE(eventually([&] {
    return admin.count("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                       {application}) == pool.stats().size;
  }));
  CHECK(pool.stats().size <= 4);
  CHECK(pool.stats().in_use <= 1);
}

TEST_CASE("db pipeline: a backend that stops answering fails a shared statement at the deadline") {
  auto url = test::fresh_database("db_pipeline_deadline");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-deadline"), milliseconds(200));
  const auto stopped = static_cast<pid_t>(shared_pid(io, pool));
  REQUIRE(::kill(stopped, SIGSTOP) == 0);
  struct Resume {
    pid_t pid;
    ~Resume() { ::kill(pid, SIGCONT); }
  } resume{stopped};

  auto started = steady_clock::now();
  try {
    shared_pid(io, pool);
    FAIL("a stopped backend answered");
  } catch (const db::Error& e) {
    CHECK(e.sqlstate() == "57014");
  }
  auto waited = steady_clock::now() - started;
  CHECK(waited >= seconds(5));
  CHECK(waited < seconds(30));

  ::kill(stopped, SIGCONT);
  CHECK(shared_pid(io, pool) != stopped);
}

TEST_CASE("db pipeline: close ends the pipeline, gives its room back and refuses new work") {
  auto url = test::fresh_database("db_pipeline_close");
  IoThreads io(2);
  auto pool = make_pool(io, url, application_name("pipeline-close"));
  shared_pid(io, pool);
  REQUIRE(pool.stats().in_use == 1);
  io.run([&]() -> awaitable<void> { co_await pool.close(seconds(2)); });
  CHECK(pool.stats().size == 0);
  CHECK(pool.stats().in_use == 0);
  CHECK_THROWS_AS(shared_pid(io, pool), db::ConnectionError);
}

TEST_CASE("db pipeline: a pool too small for a pipeline runs shared statements like the others") {
  auto url = test::fresh_database("db_pipeline_small");
  IoThreads io(2);
  db::Pool pool(io.executor(), {.conninfo = url, .max_size = 3}, nullptr);
  auto sum = io.run([&]() -> awaitable<std::int64_t> {
    std::int64_t total = 0;
    for (int i = 0; i < 10; ++i)
      total += (co_await pool.query(k_square, i)).one().get<std::int64_t>("square");
    co_return total;
  });
  CHECK(sum == 285);
  CHECK(pool.stats().size == 1);
  CHECK(pool.stats().in_use == 0);  // no connection kept for a pipeline
}
