// Pool::transaction against a real PostgreSQL: commit, rollback on exception, before-commit
// hooks, serialization-failure retries and many transactions on a small pool.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <regex>

#include "async.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/metrics.hpp"
#include "test_database.hpp"

using namespace payrollx;
using namespace std::chrono;
using boost::asio::awaitable;
using test::IoThreads;

namespace {

constexpr db::Query k_insert_item{"test.insert_item",
                                  "INSERT INTO items (name, kind) VALUES ($1, $2)"};
constexpr db::Query k_count_kind{"test.count_kind",
                                 "SELECT count(*) AS n FROM items WHERE kind = $1"};
constexpr db::Query k_count_name{"test.count_name",
                                 "SELECT count(*) AS n FROM items WHERE name = $1"};

struct Fixture {
  explicit Fixture(std::string_view label, db::PoolOptions options = {})
      : url(test::fresh_database(label)), sql(url) {
    sql.exec("CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL, kind text)");
    options.conninfo = url;
    pool = std::make_unique<db::Pool>(io.executor(), options, &metrics);
  }

  long long items_named(const std::string& name) {
    return sql.count("SELECT count(*) FROM items WHERE name = $1", {name});
  }

  std::string url;
  test::Sql sql;
  Metrics metrics;
  IoThreads io{2};
  std::unique_ptr<db::Pool> pool;
};

awaitable<void> sleep_for(milliseconds delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

long long retries_counted(const Metrics& metrics) {
  std::smatch match;
  auto text = metrics.render();
  if (!std::regex_search(text, match, std::regex(R"(payrollx_db_transaction_retries_total (\d+))")))
    return 0;
  return std::stoll(match[1]);
}

}  // namespace

TEST_CASE("db transaction: commits what fn wrote and returns its value") {
  Fixture f("db_tx_commit");
  auto inserted = f.io.run([&]() -> awaitable<std::int64_t> {
    auto body = [](db::Tx& tx) -> awaitable<std::int64_t> {
      co_await tx.query(k_insert_item, "committed", "a");
      auto result = co_await tx.query(k_count_name, "committed");
      auto row = result.one();
      co_return row.get<std::int64_t>("n");
    };
    co_return co_await f.pool->transaction(body);
  });
  CHECK(inserted == 1);
  CHECK(f.items_named("committed") == 1);
}

// Tx::use_bulk_memory() holds for its transaction only: the next one on the same connection (a
// pool of one) has the server's default again.
TEST_CASE("db transaction: bulk memory lasts until the transaction ends") {
  Fixture f("db_tx_bulk_memory", {.max_size = 1});
  constexpr db::Query k_work_mem{"test.work_mem", "SELECT current_setting('work_mem') AS memory"};
  auto work_mem = [&](bool bulk) {
    return f.io.run([&]() -> awaitable<std::string> {
      auto body = [&](db::Tx& tx) -> awaitable<std::string> {
        if (bulk) tx.use_bulk_memory();
        auto result = co_await tx.query(k_work_mem);
        co_return result.one().get<std::string>("memory");
      };
      co_return co_await f.pool->transaction(body);
    });
  };
  CHECK(work_mem(false) == "4MB");
  CHECK(work_mem(true) == "64MB");
  CHECK(work_mem(false) == "4MB");
}

TEST_CASE("db transaction: an exception rolls back everything fn wrote and propagates") {
  Fixture f("db_tx_rollback");
  auto run = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [](db::Tx& tx) -> awaitable<void> {
        co_await tx.query(k_insert_item, "rolled-back", "a");
        throw std::runtime_error("boom");
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_WITH(run(), "boom");
  CHECK(f.items_named("rolled-back") == 0);
  // The connection went back clean: the next transaction commits normally.
  f.io.run([&]() -> awaitable<void> {
    auto body = [](db::Tx& tx) -> awaitable<void> {
      co_await tx.query(k_insert_item, "after", "a");
    };
    co_await f.pool->transaction(body);
  });
  CHECK(f.items_named("after") == 1);
  CHECK(f.pool->stats().in_use == 0);
}

// Tx::defer: a statement sent with the next one keeps its place in the order, and its failure,
// thrown by the next statement or by the commit, fails the whole transaction; what came after it
// did not run, and the connection goes back clean.
TEST_CASE("db transaction: deferred statements run in order and their failure fails it all") {
  Fixture f("db_tx_deferred", {.max_size = 1});
  constexpr db::Query k_broken{"test.broken_insert", "INSERT INTO items (name) VALUES (NULL)"};
  auto committed = f.io.run([&]() -> awaitable<std::int64_t> {
    auto body = [](db::Tx& tx) -> awaitable<std::int64_t> {
      tx.defer(k_insert_item, "deferred", "d");
      tx.defer(k_insert_item, "deferred", "d");
      auto result = co_await tx.query(k_count_name, "deferred");  // after both inserts
      tx.defer(k_insert_item, "with-commit", "d");
      co_return result.one().get<std::int64_t>("n");
    };
    co_return co_await f.pool->transaction(body);
  });
  CHECK(committed == 2);
  CHECK(f.items_named("deferred") == 2);
  CHECK(f.items_named("with-commit") == 1);

  // Failing before a statement: that statement does not run, nor anything after.
  bool reached = false;
  auto fail_at_statement = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        co_await tx.query(k_insert_item, "first", "e");
        tx.defer(k_broken);
        co_await tx.query(k_insert_item, "after-deferred", "e");
        reached = true;
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_WITH(fail_at_statement(),
                    Catch::Contains("test.broken_insert") && Catch::Contains("null value"));
  CHECK_FALSE(reached);
  CHECK(f.sql.count("SELECT count(*) FROM items WHERE kind = 'e'") == 0);

  // Failing with the COMMIT: nothing committed.
  auto fail_at_commit = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        co_await tx.query(k_insert_item, "before-commit", "c");
        tx.defer(k_insert_item, "deferred-to-commit", "c");
        tx.defer(k_broken);
        co_return;
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_AS(fail_at_commit(), db::Error);
  CHECK(f.sql.count("SELECT count(*) FROM items WHERE kind = 'c'") == 0);

  // A body that sends nothing but deferred statements, and the connection is clean again.
  f.io.run([&]() -> awaitable<void> {
    auto body = [](db::Tx& tx) -> awaitable<void> {
      tx.defer(k_insert_item, "only-deferred", "o");
      co_return;
    };
    co_await f.pool->transaction(body);
  });
  CHECK(f.items_named("only-deferred") == 1);
  CHECK(f.pool->stats().in_use == 0);
}

// Tx::send: the statement goes out with the next one, and its answer is read afterwards; asked
// for first, it goes out on its own.
TEST_CASE("db transaction: a sent statement's answer is read after the next statement") {
  Fixture f("db_tx_sent", {.max_size = 1});
  constexpr db::Query k_insert_returning{
      "test.insert_returning", "INSERT INTO items (name, kind) VALUES ($1, $2) RETURNING name"};
  using Answers = std::vector<std::string>;
  auto answers = f.io.run([&]() -> awaitable<Answers> {
    auto body = [&](db::Tx& tx) -> awaitable<Answers> {
      const auto first = tx.send(k_insert_returning, "sent-first", "s");
      tx.defer(k_insert_item, "deferred-between", "s");
      const auto second = tx.send(k_insert_returning, "sent-second", "s");
      // The three go out with this one, which sees them all.
      auto counted = co_await tx.query(k_count_kind, "s");
      Answers out{std::to_string(counted.one().get<std::int64_t>("n"))};
      auto one = co_await tx.answer(first);
      auto two = co_await tx.answer(second);
      out.push_back(one.one().get<std::string>("name"));
      out.push_back(two.one().get<std::string>("name"));
      // Nothing after it: answer() sends it.
      const auto alone = tx.send(k_insert_returning, "sent-alone", "s");
      auto three = co_await tx.answer(alone);
      out.push_back(three.one().get<std::string>("name"));
      co_return out;
    };
    co_return co_await f.pool->transaction(body);
  });
  CHECK(answers == Answers{"3", "sent-first", "sent-second", "sent-alone"});
  CHECK(f.sql.count("SELECT count(*) FROM items WHERE kind = 's'") == 4);
}

TEST_CASE("db transaction: a failed statement rolls back the whole transaction") {
  Fixture f("db_tx_failed_statement");
  constexpr db::Query k_broken{"test.broken_insert", "INSERT INTO items (name) VALUES (NULL)"};
  auto run = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        co_await tx.query(k_insert_item, "before-failure", "a");
        co_await tx.query(k_broken);
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_AS(run(), db::Error);
  CHECK(f.items_named("before-failure") == 0);
}

TEST_CASE("db transaction: after-commit hooks run in order once the commit is visible") {
  Fixture f("db_tx_hooks");
  std::vector<std::string> calls;
  long long seen_by_hook = -1;
  f.io.run([&]() -> awaitable<void> {
    auto body = [&](db::Tx& tx) -> awaitable<void> {
      tx.after_commit([&] {
        calls.push_back("first");
        seen_by_hook = f.items_named("body");  // another connection: committed, so visible
      });
      tx.after_commit([&] { calls.push_back("second"); });
      co_await tx.query(k_insert_item, "body", "a");
      calls.push_back("body done");
    };
    co_await f.pool->transaction(body);
  });
  CHECK(calls == std::vector<std::string>{"body done", "first", "second"});
  CHECK(seen_by_hook == 1);
}

TEST_CASE("db transaction: after-commit hooks do not run when nothing committed") {
  Fixture f("db_tx_hooks_rollback");
  bool hook_ran = false;
  auto body_throws = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        tx.after_commit([&] { hook_ran = true; });
        co_await tx.query(k_insert_item, "body-threw", "a");
        throw std::runtime_error("body failed");
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_WITH(body_throws(), "body failed");
  CHECK_FALSE(hook_ran);
  CHECK(f.items_named("body-threw") == 0);

  // A failed statement the body swallowed: the transaction cannot commit.
  auto swallowed = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        tx.after_commit([&] { hook_ran = true; });
        co_await tx.query(k_insert_item, "swallowed", "a");
        constexpr db::Query k_null_name{"test.null_name", "INSERT INTO items (name) VALUES (NULL)"};
        try {
          co_await tx.query(k_null_name);
        } catch (const db::Error&) {
          // Swallowed on purpose.
        }
      };
      co_await f.pool->transaction(body);
    });
  };
  CHECK_THROWS_AS(swallowed(), db::Error);
  CHECK_FALSE(hook_ran);
  CHECK(f.items_named("swallowed") == 0);
}

TEST_CASE("db transaction: conflicting SERIALIZABLE transactions are retried until both commit") {
  Fixture f("db_tx_serializable");
  // Write skew: each reads the rows of one kind and inserts a row of the other. Once both have
  // read, at most one of them can commit; the other fails with 40001 and must be rerun.
  std::atomic<int> reads{0};
  std::atomic<int> runs{0};
  auto skew = [&](std::string read_kind, std::string write_kind) {
    return [&, read_kind, write_kind]() -> awaitable<void> {
      bool first_run = true;
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        ++runs;
        co_await tx.query(k_count_kind, read_kind);
        if (first_run) {
          first_run = false;
          ++reads;
          for (auto until = steady_clock::now() + seconds(5);
               reads < 2 && steady_clock::now() < until;)
            co_await sleep_for(milliseconds(5));
        }
        co_await tx.query(k_insert_item, "skew-" + write_kind, write_kind);
      };
      co_await f.pool->transaction(body, {.isolation = db::Isolation::serializable});
    };
  };
  auto a = f.io.spawn(skew("a", "b"));
  auto b = f.io.spawn(skew("b", "a"));
  a.get();
  b.get();
  CHECK(reads == 2);
  CHECK(runs >= 3);  // one of them ran again
  CHECK(retries_counted(f.metrics) >= 1);
  CHECK(f.sql.count("SELECT count(*) FROM items WHERE name LIKE 'skew-%'") == 2);
}

TEST_CASE("db transaction: serialization failures beyond max_attempts propagate as 40001") {
  Fixture f("db_tx_attempts");
  int runs = 0;
  auto run = [&]() {
    f.io.run([&]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        ++runs;
        constexpr db::Query k_fail{"test.serialization_failure",
                                   "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$"};
        co_await tx.query(k_fail);
      };
      co_await f.pool->transaction(body, {.max_attempts = 3});
    });
  };
  try {
    run();
    FAIL("a transaction that always fails with 40001 succeeded");
  } catch (const db::Error& e) {
    CHECK(e.sqlstate() == "40001");
  }
  CHECK(runs == 3);
  CHECK(retries_counted(f.metrics) == 2);
}

TEST_CASE("db transaction: 50 concurrent transactions on a pool of 4 all complete") {
  Fixture f("db_tx_concurrent", {.max_size = 4, .acquire_timeout = seconds(30)});
  constexpr db::Query k_pause{"test.pause", "SELECT pg_sleep(0.01)"};
  std::vector<std::future<void>> done;
  for (int i = 0; i < 50; ++i) {
    done.push_back(f.io.spawn([&, i]() -> awaitable<void> {
      auto body = [&](db::Tx& tx) -> awaitable<void> {
        co_await tx.query(k_insert_item, "concurrent-" + std::to_string(i), "c");
        co_await tx.query(k_pause);
      };
      co_await f.pool->transaction(body);
    }));
  }
  int failures = 0;
  for (auto& one : done) {
    try {
      one.get();
    } catch (const std::exception& e) {
      ++failures;
      UNSCOPED_INFO("a transaction failed: " << e.what());
    }
  }
  CHECK(failures == 0);
  CHECK(f.sql.count("SELECT count(DISTINCT name) FROM items WHERE kind = 'c'") == 50);
  auto stats = f.pool->stats();
  CHECK(stats.size <= 4);
  CHECK(stats.size >= 1);
  CHECK(stats.in_use == 0);
  CHECK(stats.waiting == 0);
}
