// The pool against a real PostgreSQL: acquire timeouts, statistics, and recovery from
// connections the server killed.
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <csignal>
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

constexpr db::Query k_backend_pid{"test.backend_pid", "SELECT pg_backend_pid() AS pid"};
constexpr db::Query k_square{"test.square", "SELECT ($1::int * $1::int) AS square"};

// A coroutine that holds a pooled connection (inside a transaction) until `release` is set.
auto hold_connection(db::Pool& pool, std::atomic<bool>& release) {
  return [&pool, &release]() -> awaitable<void> {
    auto body = [&](db::Tx&) -> awaitable<void> {
      while (!release) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, milliseconds(5));
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
    };
    co_await pool.transaction(body);
  };
}

}  // namespace

TEST_CASE("db pool: with its only connection held, an acquire times out with PoolTimeout") {
  auto url = test::fresh_database("db_pool_timeout");
  IoThreads io(2);
  db::Pool pool(io.executor(),
                {.conninfo = url, .max_size = 1, .acquire_timeout = milliseconds(300)}, nullptr);
  std::atomic<bool> release{false};
  auto holder = io.spawn(hold_connection(pool, release));
  REQUIRE(eventually([&] { return pool.stats().in_use == 1; }));

  auto waiting = io.spawn([&]() -> awaitable<void> { co_await pool.ping(); });
  CHECK(eventually([&] { return pool.stats().waiting == 1; }));
  auto stats = pool.stats();
  CHECK(stats.size == 1);
  CHECK(stats.in_use == 1);

  auto started = steady_clock::now();
  CHECK_THROWS_AS(waiting.get(), db::PoolTimeout);
  CHECK(steady_clock::now() - started < seconds(3));
  CHECK(pool.stats().waiting == 0);

  // The timed-out waiter leaked nothing: once released, the one connection serves again.
  release = true;
  holder.get();
  io.run([&]() -> awaitable<void> { co_await pool.ping(); });
  stats = pool.stats();
  CHECK(stats.size == 1);
  CHECK(stats.in_use == 0);
}

TEST_CASE("db pool: a waiter gets the connection released before its deadline") {
  auto url = test::fresh_database("db_pool_handover");
  IoThreads io(2);
  db::Pool pool(io.executor(), {.conninfo = url, .max_size = 1, .acquire_timeout = seconds(10)},
                nullptr);
  std::atomic<bool> release{false};
  auto holder = io.spawn(hold_connection(pool, release));
  REQUIRE(eventually([&] { return pool.stats().in_use == 1; }));
  auto waiting = io.spawn([&]() -> awaitable<void> { co_await pool.ping(); });
  REQUIRE(eventually([&] { return pool.stats().waiting == 1; }));
  release = true;
  CHECK_NOTHROW(waiting.get());
  holder.get();
  CHECK(pool.stats().size == 1);
}

TEST_CASE("db pool: grows lazily up to max_size and reports its statistics") {
  auto url = test::fresh_database("db_pool_stats");
  IoThreads io(2);
  db::Pool pool(io.executor(), {.conninfo = url, .max_size = 3}, nullptr);
  CHECK(pool.stats().size == 0);  // nothing opened before the first use
  io.run([&]() -> awaitable<void> { co_await pool.ping(); });
  CHECK(pool.stats().size == 1);

  std::atomic<bool> release{false};
  std::vector<std::future<void>> holders;
  for (int i = 0; i < 3; ++i) holders.push_back(io.spawn(hold_connection(pool, release)));
  REQUIRE(eventually([&] { return pool.stats().in_use == 3; }));
  auto stats = pool.stats();
  CHECK(stats.size == 3);
  CHECK(stats.waiting == 0);
  release = true;
  for (auto& holder : holders) holder.get();
  stats = pool.stats();
  CHECK(stats.size == 3);
  CHECK(stats.in_use == 0);
}

TEST_CASE("db pool: after pg_terminate_backend of all its connections the next requests succeed") {
  auto url = test::fresh_database("db_pool_terminate");
  const auto application = "payrollx-test-terminate-" + std::to_string(::getpid());
  IoThreads io(2);
  db::Pool pool(io.executor(), {.conninfo = url, .max_size = 2, .application_name = application},
                nullptr);
  test::Sql admin(test::admin_url());
  const std::string count_backends =
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1";

  // Two connections open and idle in the pool.
  std::atomic<bool> release{false};
  auto first = io.spawn(hold_connection(pool, release));
  auto second = io.spawn(hold_connection(pool, release));
  REQUIRE(eventually([&] { return pool.stats().in_use == 2; }));
  release = true;
  first.get();
  second.get();
  REQUIRE(admin.count(count_backends, {application}) == 2);

  auto old_pids = admin.rows(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid", {application});
  CHECK(admin.count("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = $1) AS killed",
                    {application}) == 2);
  REQUIRE(eventually([&] { return admin.count(count_backends, {application}) == 0; }));

  auto pid = io.run([&]() -> awaitable<std::int64_t> {
    co_return (co_await pool.query(k_backend_pid)).one().get<std::int64_t>("pid");
  });
  for (const auto& old : old_pids) CHECK(old.at(0) != std::to_string(pid));

  constexpr db::Query k_one{"test.one", "SELECT 1 AS one"};
  auto one = io.run([&]() -> awaitable<int> {
    auto body = [&](db::Tx& tx) -> awaitable<int> {
      co_return (co_await tx.query(k_one)).one().get<int>("one");
    };
    co_return co_await pool.transaction(body);
  });
  CHECK(one == 1);

  // Killed while checked out, between two statements of a transaction: rerun (nothing was
  // committed), on a new connection.
  int runs = 0;
  auto pid_in_tx = io.run([&]() -> awaitable<std::int64_t> {
    auto body = [&](db::Tx& tx) -> awaitable<std::int64_t> {
      auto own = (co_await tx.query(k_backend_pid)).one().get<std::int64_t>("pid");
      if (++runs == 1) admin.exec("SELECT pg_terminate_backend($1::int)", {std::to_string(own)});
      co_return (co_await tx.query(k_backend_pid)).one().get<std::int64_t>("pid");
    };
    co_return co_await pool.transaction(body);
  });
  CHECK(runs == 2);
  CHECK(pid_in_tx != pid);
}

TEST_CASE("db pool: an unreachable server fails fast with ConnectionError") {
  // A port nobody listens on: the connection is refused at once.
  IoThreads io(2);
  db::Pool pool(
      io.executor(),
      {.conninfo = "postgresql://postgres@127.0.0.1:1/postgres", .connect_timeout = seconds(2)},
      nullptr);
  auto started = steady_clock::now();
  CHECK_THROWS_AS(io.run([&]() -> awaitable<void> { co_await pool.ping(); }), db::ConnectionError);
  CHECK_THROWS_AS(io.run([&]() -> awaitable<void> { co_await pool.ping(); }), db::ConnectionError);
  CHECK(steady_clock::now() - started < seconds(4));
  CHECK(pool.stats().size == 0);
  CHECK(pool.stats().in_use == 0);
}

TEST_CASE("db pool: close waits for checked-out connections and refuses new work") {
  auto url = test::fresh_database("db_pool_close");
  IoThreads io(2);
  db::Pool pool(io.executor(), {.conninfo = url, .max_size = 2}, nullptr);
  io.run([&]() -> awaitable<void> { co_await pool.ping(); });
  io.run([&]() -> awaitable<void> { co_await pool.close(seconds(2)); });
  CHECK(pool.stats().size == 0);
  CHECK_THROWS_AS(io.run([&]() -> awaitable<void> { co_await pool.ping(); }), db::ConnectionError);
}

TEST_CASE("db pool: one connection serves coroutines of several io_contexts in turn") {
  auto url = test::fresh_database("db_pool_contexts");
  IoThreads first(1);
  IoThreads second(1);
  db::Pool pool(first.executor(), {.conninfo = url, .max_size = 1}, nullptr);
  auto squares = [&pool](int from) {
    return [&pool, from]() -> awaitable<int> {
      int sum = 0;
      for (int i = from; i < from + 10; ++i)
        sum += (co_await pool.query(k_square, i)).one().get<int>("square");
      co_return sum;
    };
  };
  std::vector<std::future<int>> sums;
  for (int c = 0; c < 8; ++c)
    sums.push_back(c % 2 == 0 ? first.spawn(squares(c * 10)) : second.spawn(squares(c * 10)));
  int total = 0;
  for (auto& sum : sums) total += sum.get();
  int expected = 0;
  for (int i = 0; i < 80; ++i) expected += i * i;
  CHECK(total == expected);
  CHECK(pool.stats().size == 1);
}

TEST_CASE("db pool: a backend that stops answering fails its statement at the client deadline") {
  auto url = test::fresh_database("db_pool_client_deadline");
  IoThreads io(2);
  db::Pool pool(io.executor(),
                {.conninfo = url, .max_size = 1, .statement_timeout = milliseconds(200)}, nullptr);
  auto backend_pid = [&] {
    return static_cast<pid_t>(io.run([&]() -> awaitable<std::int64_t> {
      co_return (co_await pool.query(k_backend_pid)).one().get<std::int64_t>("pid");
    }));
  };
  const pid_t stopped = backend_pid();
  // A stopped backend cannot run its own statement_timeout: only the client's deadline
  // (statement_timeout plus a grace of 5 s) ends the wait.
  REQUIRE(::kill(stopped, SIGSTOP) == 0);
  struct Resume {
    pid_t pid;
    ~Resume() { ::kill(pid, SIGCONT); }
  } resume{stopped};

  auto started = steady_clock::now();
  try {
    io.run([&]() -> awaitable<void> { co_await pool.ping(); });
    FAIL("a stopped backend answered");
  } catch (const db::Error& e) {
    CHECK(e.sqlstate() == "57014");
  }
  auto waited = steady_clock::now() - started;
  CHECK(waited >= seconds(5));
  CHECK(waited < seconds(30));

  ::kill(stopped, SIGCONT);
  // The connection in an unknown state was dropped: the next statement gets a new one.
  CHECK(backend_pid() != stopped);
}
