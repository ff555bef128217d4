// The audit chain's sealing after commit against a real PostgreSQL: entries are chained in the
// order they were written, every committed entry is sealed exactly once however writers and
// sealers interleave, an entry that left the queue unsealed is reported, and the sealer seals
// both what its own instance commits and what another one left queued.
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit_world.hpp"
#include "eventually.hpp"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using payrollx::db::Tx;
using AuditWorld = payrollx::test::AuditWorld;
using namespace std::chrono_literals;

}  // namespace

TEST_CASE("audit: entries are chained in the order they were written", "[audit][sealer]") {
  AuditWorld world("audit_order");
  world.commit_entries({"a", "b", "c"});
  world.commit_entries({"d"});
  world.commit_entries({"e", "f"});
  CHECK(world.seal() == 6);
  CHECK(world.chain_actions() == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
  CHECK(world.verify().ok);
}

TEST_CASE("audit: concurrent writers and sealers chain every committed entry exactly once",
          "[audit][sealer]") {
  AuditWorld world("audit_sealers");
  constexpr int k_writers = 4, k_transactions = 30;
  std::atomic<bool> writing = true;
  // Every third transaction of a writer rolls back after appending.
  auto writer = [&](int w) -> awaitable<void> {
    for (int t = 0; t < k_transactions; ++t) {
      auto body = [&world, w, t](Tx& tx) -> awaitable<void> {
        const auto name = "w" + std::to_string(w) + "." + std::to_string(t);
        co_await world.audit().append(tx, world.entry(name + ".1"));
        co_await world.audit().append(tx, world.entry(name + ".2"));
        if (t % 3 == 2) throw std::runtime_error("rolled back");
      };
      try {
        co_await world.pool().transaction(body);
      } catch (const std::runtime_error&) {
        // Expected for every third one.
      }
    }
  };
  // Sealers of several instances, sealing as fast as they can while the writers write.
  auto sealer = [&]() -> awaitable<void> {
    while (writing)
      co_await payrollx::compliance::seal_queued(world.pool(), world.organization_id());
  };
  std::vector<std::future<void>> writers, sealers;
  for (int s = 0; s < 3; ++s)
    sealers.push_back(asio::co_spawn(world.io(), sealer(), asio::use_future));
  for (int w = 0; w < k_writers; ++w)
    writers.push_back(asio::co_spawn(world.io(), writer(w), asio::use_future));
  for (auto& f : writers) f.get();
  writing = false;
  for (auto& f : sealers) f.get();
  world.seal();

  constexpr long long k_committed = k_writers * (k_transactions - k_transactions / 3) * 2;
  CHECK(world.entries() == k_committed);
  CHECK(world.queued() == 0);
  const auto org = world.organization_id().str();
  CHECK(world.sql().count("SELECT count(*) FROM compliance.audit_seals WHERE organization_id = $1",
                          {org}) == k_committed);
  // Gap-free 1..N, each entry once, and no rolled-back one.
  CHECK(world.sql().scalar("SELECT (min(seq) = 1 AND max(seq) = count(*) AND "
                           "count(DISTINCT entry_id) = count(*))::text "
                           "FROM compliance.audit_seals WHERE organization_id = $1",
                           {org}) == "true");
  CHECK(world.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1 "
                          "AND action LIKE '%.2.%'",
                          {org}) == 0);
  // A writer's transactions run one after another: each one's entries come after the previous
  // one's in the chain (an entry written after another committed is chained after it).
  CHECK(world.sql().count(
            "WITH chained AS (SELECT s.seq, split_part(e.action, '.', 1) AS writer,"
            " split_part(e.action, '.', 2)::int AS t FROM compliance.audit_seals s JOIN "
            "compliance.audit_logs e ON e.organization_id = s.organization_id AND e.id = "
            "s.entry_id WHERE s.organization_id = $1) "
            "SELECT count(*) FROM chained a JOIN chained b ON b.writer = a.writer AND b.t > a.t "
            "WHERE b.seq < a.seq",
            {org}) == 0);
  // The two entries of one transaction are chained in the order they were appended.
  CHECK(world.sql().count("SELECT count(*) FROM compliance.audit_seals s1 JOIN "
                          "compliance.audit_logs e1 ON e1.organization_id = s1.organization_id "
                          "AND e1.id = s1.entry_id JOIN compliance.audit_logs e2 ON "
                          "e2.organization_id = e1.organization_id AND e2.action = "
                          "left(e1.action, -2) || '.2' JOIN compliance.audit_seals s2 ON "
                          "s2.organization_id = e2.organization_id AND s2.entry_id = e2.id "
                          "WHERE s1.organization_id = $1 AND e1.action LIKE '%.1' AND "
                          "s2.seq > s1.seq",
                          {org}) == k_committed / 2);
  auto verdict = world.verify();
  CHECK(verdict.ok);
  CHECK(verdict.checked == k_committed);
}

TEST_CASE("audit: verify reports an entry taken off the queue without its seal",
          "[audit][sealer]") {
  AuditWorld world("audit_unaccounted");
  world.commit_entries({"one"});
  CHECK(world.seal() == 1);
  world.commit_entries({"two", "three"});
  const auto two = *world.sql().scalar(
      "SELECT id::text FROM compliance.audit_logs WHERE organization_id = $1 AND action = 'two'",
      {world.organization_id().str()});
  world.sql().exec("DELETE FROM compliance.audit_unsealed WHERE entry_id = $1", {two});

  auto verdict = world.verify();  // seals "three"; "two" is in neither place
  CHECK_FALSE(verdict.ok);
  REQUIRE(verdict.first_broken_id);
  CHECK(verdict.first_broken_id->str() == two);
  CHECK(world.chain_actions() == std::vector<std::string>{"one", "three"});
}

TEST_CASE("audit: the sealer seals its commits, and its sweep what others left queued",
          "[audit][sealer]") {
  AuditWorld world("audit_sealer_job");
  payrollx::compliance::Sealer sealer(world.io().get_executor(), world.pool(),
                                      {.delay = 0ms, .sweep = 200ms});
  payrollx::compliance::AuditLog poking(sealer);

  // Committed through an AuditLog wired to the sealer: sealed right after the commit, before
  // any sweep (none started yet).
  auto body = [&](Tx& tx) -> awaitable<void> { co_await poking.append(tx, world.entry("poked")); };
  world.run(world.pool().transaction(body));
  CHECK(payrollx::test::eventually([&] { return world.queued() == 0; }, 5s));
  CHECK(world.chain_actions() == std::vector<std::string>{"poked"});

  // Committed by "another instance" (no sealer of its own): the sweep finds it.
  world.commit_entries({"left"});
  CHECK(world.queued() == 1);
  sealer.start();
  CHECK(payrollx::test::eventually([&] { return world.queued() == 0; }, 5s));
  CHECK(world.chain_actions() == std::vector<std::string>{"poked", "left"});
  sealer.stop();
  CHECK(world.verify().ok);
}

TEST_CASE("audit: a queue row naming a sealed entry is reported, and the log stays readable",
          "[audit][sealer]") {
  AuditWorld world("audit_sealed_and_queued");
  world.commit_entries({"one"});
  CHECK(world.seal() == 1);
  const auto org = world.organization_id().str();
  const auto one = world.id_of(1);
  // Written outside PayrollX: every later seal of the organisation fails on the seals' key.
  world.sql().exec(
      "INSERT INTO compliance.audit_unsealed (organization_id, entry_id) VALUES ($1, $2)",
      {org, one});
  CHECK_THROWS(world.seal());

  auto verdict = world.verify();  // its seal fails, it goes on and reports
  CHECK_FALSE(verdict.ok);
  REQUIRE(verdict.first_broken_id);
  CHECK(verdict.first_broken_id->str() == one);
  auto listed = world.run(payrollx::compliance::list_entries(world.pool(), world.organization_id(),
                                                             {}, std::nullopt, 10));
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].id.str() == one);
}
