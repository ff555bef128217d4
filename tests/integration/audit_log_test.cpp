// The audit log against a real PostgreSQL: entries commit and roll back with their transaction,
// are sealed into one gap-free chain after commit (concurrent writers and concurrent sealers of
// one organisation included), writers take no lock, and verification finds tampering.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "audit_world.hpp"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using payrollx::db::Tx;
using AuditWorld = payrollx::test::AuditWorld;

// Work a transaction does besides its audit entry.
constexpr payrollx::db::Query k_short_work{"test.audit_short_work", "SELECT pg_sleep(0.02)"};
constexpr payrollx::db::Query k_long_work{"test.audit_long_work", "SELECT pg_sleep(1.5)"};

}  // namespace

TEST_CASE("audit: an entry appended in a transaction that rolls back leaves nothing", "[audit]") {
  AuditWorld world;
  auto failing = [&](Tx& tx) -> awaitable<void> {
    co_await world.audit().append(tx, world.entry("rolled.back"));
    throw std::runtime_error("the change failed");
  };

  // Before the first entry: no row, nothing queued and no head either.
  CHECK_THROWS_AS(world.run(world.pool().transaction(failing)), std::runtime_error);
  CHECK(world.entries() == 0);
  CHECK(world.queued() == 0);
  CHECK(world.seal() == 0);
  CHECK_FALSE(world.head());

  world.commit_entries({"committed"});
  CHECK(world.queued() == 1);
  CHECK(world.seal() == 1);
  CHECK(world.queued() == 0);
  auto head = world.head();
  REQUIRE(head);
  CHECK(head->starts_with("1:"));

  CHECK_THROWS_AS(world.run(world.pool().transaction(failing)), std::runtime_error);
  CHECK(world.entries() == 1);
  CHECK(world.queued() == 0);
  CHECK(world.seal() == 0);
  CHECK(world.head() == head);
  CHECK(world.sql().scalar("SELECT action FROM compliance.audit_logs WHERE organization_id = $1",
                           {world.organization_id().str()}) == "committed");
  CHECK(world.verify().ok);
}

TEST_CASE("audit: the first entry starts from the genesis hash and entries chain", "[audit]") {
  AuditWorld world;
  world.commit_entries({"first", "second"});
  CHECK(world.seal() == 2);
  auto rows = world.sql().rows(
      "SELECT s.seq::text, s.prev_hash, s.hash, e.request_id, e.after::text "
      "FROM compliance.audit_seals s JOIN compliance.audit_logs e "
      "ON e.organization_id = s.organization_id AND e.id = s.entry_id "
      "WHERE s.organization_id = $1 ORDER BY s.seq",
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

  CHECK(world.seal() == 20);
  auto seqs = world.sql().rows(
      "SELECT seq::text AS position FROM compliance.audit_seals WHERE organization_id = $1 "
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
  // Writers take no lock: a transaction that appended and is still busy must not make another
  // writer of the organisation wait, nor the sealing of that writer's entry.
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
  CHECK(world.seal() == 1);  // the slow one is not committed: not visible, not waited for
  slow_done.get();

  CHECK(world.seal() == 1);
  CHECK(world.chain_actions() == std::vector<std::string>{"fast", "slow"});
  CHECK(world.verify().ok);
}

TEST_CASE("audit: verify reports the first entry edited in SQL", "[audit]") {
  AuditWorld world;
  world.commit_entries({"one", "two", "three", "four", "five"});
  REQUIRE(world.verify().ok);  // which seals them
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
    edit = "UPDATE compliance.audit_seals SET hash = repeat('a', 64) WHERE entry_id = $1";
  }
  SECTION("its prev_hash") {
    edit = "UPDATE compliance.audit_seals SET prev_hash = repeat('b', 64) WHERE entry_id = $1";
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
  CHECK(world.seal() == 3);
  world.sql().exec("DELETE FROM compliance.audit_seals WHERE entry_id = $1", {world.id_of(3)});
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
  CHECK(world.queued() == 1005);
  auto intact = world.verify();  // seals them in two transactions (a thousand at most each)
  CHECK(world.queued() == 0);
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
