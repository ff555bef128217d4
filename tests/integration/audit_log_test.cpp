// The audit log against a real PostgreSQL: entries commit and roll back with their transaction,
// concurrent writers of one organisation get one gap-free chain, the head is taken only at
// COMMIT, and verification finds tampering.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "core/db/pool.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/service.hpp"
#include "test_database.hpp"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using payrollx::Uuid;
using payrollx::compliance::AuditEntry;
using payrollx::compliance::AuditLog;
using payrollx::db::Tx;

// Work a transaction does besides its audit entry.
constexpr payrollx::db::Query k_short_work{"test.audit_short_work", "SELECT pg_sleep(0.02)"};
constexpr payrollx::db::Query k_long_work{"test.audit_long_work", "SELECT pg_sleep(1.5)"};

// A fresh database with one organisation, and a pool on a two-thread io_context.
class AuditWorld {
 public:
  AuditWorld()
      : url_(payrollx::test::fresh_database("audit_log")),
        sql_(url_),
        guard_(io_.get_executor()),
        pool_(io_.get_executor(), pool_options(url_), nullptr) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    organization_id_ = *Uuid::parse(
        *sql_.scalar("INSERT INTO organization.organizations (name) VALUES ($1) RETURNING id::text",
                     {"Audit " + Uuid::random().str()}));
  }
  ~AuditWorld() {
    run(pool_.close(std::chrono::seconds(5)));
    guard_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  template <class T>
  T run(awaitable<T> task) {
    return asio::co_spawn(io_, std::move(task), asio::use_future).get();
  }

  // Appends one entry per action, all in one transaction that commits.
  void commit_entries(const std::vector<std::string>& actions) {
    auto body = [&](Tx& tx) -> awaitable<void> {
      for (const auto& action : actions) co_await audit_.append(tx, entry(action));
    };
    run(pool_.transaction(body));
  }

  AuditEntry entry(const std::string& action) const {
    AuditEntry e;
    e.organization_id = organization_id_;
    e.actor.user_id = Uuid::random();
    e.actor.request_id = "req-" + action;
    e.action = action;
    e.entity_type = "test";
    e.entity_id = organization_id_;
    e.before = nullptr;
    e.after = boost::json::object{{"action", action}, {"amount", 250000}};
    return e;
  }

  payrollx::compliance::VerifyResult verify() {
    return run(payrollx::compliance::verify_chain(pool_, organization_id_));
  }

  long long entries() {
    return sql_.count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1",
                      {organization_id_.str()});
  }
  std::optional<std::string> head() {
    auto rows = sql_.rows(
        "SELECT seq || ':' || hash FROM compliance.audit_chain_heads WHERE organization_id = $1",
        {organization_id_.str()});
    if (rows.empty()) return std::nullopt;
    return rows[0][0];
  }
  std::string id_of(long long seq) {
    return *sql_.scalar(
        "SELECT id::text FROM compliance.audit_logs WHERE organization_id = $1 AND seq = $2",
        {organization_id_.str(), std::to_string(seq)});
  }

  asio::io_context& io() { return io_; }
  payrollx::db::Pool& pool() { return pool_; }
  payrollx::test::Sql& sql() { return sql_; }
  AuditLog& audit() { return audit_; }
  const Uuid& organization_id() const { return organization_id_; }

 private:
  static payrollx::db::PoolOptions pool_options(const std::string& url) {
    payrollx::db::PoolOptions options;
    options.conninfo = url;
    options.max_size = 8;
    return options;
  }

  std::string url_;
  payrollx::test::Sql sql_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  payrollx::db::Pool pool_;
  std::vector<std::thread> threads_;
  AuditLog audit_;
  Uuid organization_id_;
};

}  // namespace

TEST_CASE("audit: an entry appended in a transaction that rolls back leaves nothing", "[audit]") {
  AuditWorld world;
  auto failing = [&](Tx& tx) -> awaitable<void> {
    co_await world.audit().append(tx, world.entry("rolled.back"));
    throw std::runtime_error("the change failed");
  };

  // Before the first entry: no row and no head either.
  CHECK_THROWS_AS(world.run(world.pool().transaction(failing)), std::runtime_error);
  CHECK(world.entries() == 0);
  CHECK_FALSE(world.head());

  world.commit_entries({"committed"});
  auto head = world.head();
  REQUIRE(head);
  CHECK(head->starts_with("1:"));

  CHECK_THROWS_AS(world.run(world.pool().transaction(failing)), std::runtime_error);
  CHECK(world.entries() == 1);
  CHECK(world.head() == head);
  CHECK(world.sql().scalar("SELECT action FROM compliance.audit_logs WHERE organization_id = $1",
                           {world.organization_id().str()}) == "committed");
  CHECK(world.verify().ok);
}

TEST_CASE("audit: the first entry starts from the genesis hash and entries chain", "[audit]") {
  AuditWorld world;
  world.commit_entries({"first", "second"});
  auto rows = world.sql().rows(
      "SELECT seq::text, prev_hash, hash, request_id, after::text FROM compliance.audit_logs "
      "WHERE organization_id = $1 ORDER BY seq",
      {world.organization_id().str()});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][0] == "1");
  CHECK(rows[0][1] == std::string(payrollx::compliance::k_genesis_hash));
  CHECK(rows[1][0] == "2");
  CHECK(rows[1][1] == rows[0][2]);
  CHECK(rows[0][3] == "req-first");
  CHECK(rows[0][4] == R"({"action":"first","amount":250000})");
  CHECK(world.head() == "2:" + *rows[1][2]);
  auto verdict = world.verify();
  CHECK(verdict.ok);
  CHECK(verdict.checked == 2);
}

TEST_CASE("audit: 20 concurrent transactions of one organisation get seq 1..20 and verify",
          "[audit]") {
  AuditWorld world;
  auto writer = [&](int n) -> awaitable<void> {
    auto body = [&world, n](Tx& tx) -> awaitable<void> {
      // Some work of the transaction's own before the entry, so that transactions overlap.
      co_await tx.query(k_short_work);
      co_await world.audit().append(tx, world.entry("concurrent." + std::to_string(n)));
    };
    co_await world.pool().transaction(body);
  };
  std::vector<std::future<void>> done;
  for (int n = 0; n < 20; ++n)
    done.push_back(asio::co_spawn(world.io(), writer(n), asio::use_future));
  for (auto& f : done) f.get();

  auto seqs = world.sql().rows(
      "SELECT seq::text AS position FROM compliance.audit_logs WHERE organization_id = $1 "
      "ORDER BY seq",  // by the number: ORDER BY the text alias would sort "10" before "2"
      {world.organization_id().str()});
  REQUIRE(seqs.size() == 20);
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i][0] == std::to_string(i + 1));
  CHECK(world.sql().count("SELECT count(DISTINCT action) FROM compliance.audit_logs "
                          "WHERE organization_id = $1",
                          {world.organization_id().str()}) == 20);
  auto verdict = world.verify();
  CHECK(verdict.ok);
  CHECK(verdict.checked == 20);
}

TEST_CASE("audit: an open transaction's entry does not hold up other writers", "[audit]") {
  // The head is taken just before COMMIT: a transaction that appended and is still busy must
  // not make another writer of the organisation wait, so the later one commits first.
  AuditWorld world;
  auto slow = [&](Tx& tx) -> awaitable<void> {
    co_await world.audit().append(tx, world.entry("slow"));
    co_await tx.query(k_long_work);
  };
  auto fast = [&](Tx& tx) -> awaitable<void> {
    co_await world.audit().append(tx, world.entry("fast"));
  };
  auto slow_done = asio::co_spawn(world.io(), world.pool().transaction(slow), asio::use_future);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  world.run(world.pool().transaction(fast));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(800));
  slow_done.get();

  CHECK(world.sql().scalar("SELECT action FROM compliance.audit_logs WHERE organization_id = $1 "
                           "AND seq = 1",
                           {world.organization_id().str()}) == "fast");
  CHECK(world.sql().scalar("SELECT action FROM compliance.audit_logs WHERE organization_id = $1 "
                           "AND seq = 2",
                           {world.organization_id().str()}) == "slow");
  CHECK(world.verify().ok);
}

TEST_CASE("audit: verify reports the first entry edited in SQL", "[audit]") {
  AuditWorld world;
  world.commit_entries({"one", "two", "three", "four", "five"});
  REQUIRE(world.verify().ok);
  const auto third = world.id_of(3);

  std::string edit;
  SECTION("its content") {
    edit = "UPDATE compliance.audit_logs SET action = 'x' WHERE id = $1";
  }
  SECTION("its json, to the same value in other text") {
    edit =
        "UPDATE compliance.audit_logs SET after = '{\"action\": \"three\", \"amount\": 250000}' "
        "WHERE id = $1";
  }
  SECTION("its hash") {
    edit = "UPDATE compliance.audit_logs SET hash = repeat('a', 64) WHERE id = $1";
  }
  SECTION("its prev_hash") {
    edit = "UPDATE compliance.audit_logs SET prev_hash = repeat('b', 64) WHERE id = $1";
  }
  world.sql().exec(edit, {third});
  // A later entry edited too: the first broken one is reported.
  world.sql().exec("UPDATE compliance.audit_logs SET action = 'y' WHERE id = $1", {world.id_of(5)});

  auto verdict = world.verify();
  CHECK_FALSE(verdict.ok);
  REQUIRE(verdict.first_broken_id);
  CHECK(verdict.first_broken_id->str() == third);
  CHECK(verdict.checked == 3);
}

TEST_CASE("audit: verify notices a removed tail, which leaves no broken entry", "[audit]") {
  AuditWorld world;
  world.commit_entries({"one", "two", "three"});
  world.sql().exec("DELETE FROM compliance.audit_logs WHERE id = $1", {world.id_of(3)});
  auto verdict = world.verify();
  CHECK_FALSE(verdict.ok);
  CHECK_FALSE(verdict.first_broken_id);
  CHECK(verdict.checked == 2);
}

TEST_CASE("audit: verify walks chains longer than one batch", "[audit]") {
  AuditWorld world;
  std::vector<std::string> actions;
  for (int i = 1; i <= 1005; ++i) actions.push_back("bulk." + std::to_string(i));
  world.commit_entries(actions);
  auto intact = world.verify();
  CHECK(intact.ok);
  CHECK(intact.checked == 1005);

  const auto broken = world.id_of(1003);
  world.sql().exec("UPDATE compliance.audit_logs SET entity_type = 'x' WHERE id = $1", {broken});
  auto verdict = world.verify();
  CHECK_FALSE(verdict.ok);
  REQUIRE(verdict.first_broken_id);
  CHECK(verdict.first_broken_id->str() == broken);
  CHECK(verdict.checked == 1003);
}
