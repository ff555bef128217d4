// AuditLog::append_many against a real PostgreSQL: a bulk append writes and queues its entries
// with one INSERT, yet the sealed chain is exactly what one append() per entry would have made:
// gap-free, in order, interleaved with single appends of the same transaction, per organisation,
// and it verifies. A rolled-back bulk append leaves nothing.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
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
using payrollx::db::Tx;

class World {
 public:
  World()
      : url_(payrollx::test::fresh_database("audit_many")),
        sql_(url_),
        guard_(io_.get_executor()),
        pool_(io_.get_executor(), options(url_), nullptr) {
    thread_ = std::thread([this] { io_.run(); });
    for (auto* org : {&first_, &second_})
      *org = *Uuid::parse(*sql_.scalar(
          "INSERT INTO organization.organizations (name) VALUES ($1) RETURNING id::text",
          {"Bulk " + Uuid::random().str()}));
  }
  ~World() {
    run(pool_.close(std::chrono::seconds(5)));
    guard_.reset();
    io_.stop();
    thread_.join();
  }

  template <class T>
  T run(awaitable<T> task) {
    return asio::co_spawn(io_, std::move(task), asio::use_future).get();
  }

  static AuditEntry entry(const Uuid& organization_id, const std::string& action, bool with_actor) {
    AuditEntry e;
    e.organization_id = organization_id;
    if (with_actor) e.actor.user_id = Uuid::random();
    e.actor.request_id = with_actor ? "req-" + action : "";
    e.action = action;
    e.entity_type = "test";
    if (with_actor) e.entity_id = Uuid::random();
    e.before = with_actor ? boost::json::value(nullptr)
                          : boost::json::value(boost::json::object{{"quote", "a \"b\" \\ c"}});
    e.after = boost::json::object{{"action", action}, {"name", "Zoë, \"Ångström\"\n"}};
    return e;
  }

  // The organisation's actions in chain order (sealing what is queued first).
  std::vector<std::string> actions(const Uuid& organization_id) {
    run(payrollx::compliance::seal_queued(pool_, organization_id));
    std::vector<std::string> out;
    for (const auto& row :
         sql_.rows("SELECT e.action FROM compliance.audit_seals s JOIN compliance.audit_logs e "
                   "ON e.organization_id = s.organization_id AND e.id = s.entry_id "
                   "WHERE s.organization_id = $1 ORDER BY s.seq",
                   {organization_id.str()}))
      out.push_back(*row[0]);
    return out;
  }

  payrollx::db::Pool& pool() { return pool_; }
  payrollx::test::Sql& sql() { return sql_; }
  payrollx::compliance::AuditLog& audit() { return audit_; }
  const Uuid& first() const { return first_; }
  const Uuid& second() const { return second_; }

 private:
  static payrollx::db::PoolOptions options(const std::string& url) {
    payrollx::db::PoolOptions o;
    o.conninfo = url;
    o.max_size = 4;
    return o;
  }

  std::string url_;
  payrollx::test::Sql sql_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  payrollx::db::Pool pool_;
  std::thread thread_;
  payrollx::compliance::AuditLog audit_;
  Uuid first_;
  Uuid second_;
};

}  // namespace

TEST_CASE("audit: append_many chains like single appends and verifies", "[audit]") {
  World world;
  auto body = [&](Tx& tx) -> awaitable<void> {
    co_await world.audit().append(tx, World::entry(world.first(), "single.1", true));
    std::vector<AuditEntry> bulk;
    for (int i = 0; i < 250; ++i)
      bulk.push_back(World::entry(i % 3 == 0 ? world.second() : world.first(),
                                  "bulk." + std::to_string(i), i % 2 == 0));
    co_await world.audit().append_many(tx, std::move(bulk));
    std::vector<AuditEntry> none;
    co_await world.audit().append_many(tx, std::move(none));
    co_await world.audit().append(tx, World::entry(world.first(), "single.2", false));
  };
  world.run(world.pool().transaction(body));

  // Entries are chained in append order, and a bulk keeps its own order within each
  // organisation.
  auto first = world.actions(world.first());
  REQUIRE(first.size() == 1 + 166 + 1);
  CHECK(first.front() == "single.1");
  CHECK(first[1] == "bulk.1");
  CHECK(first[2] == "bulk.2");
  CHECK(first.back() == "single.2");
  auto second = world.actions(world.second());
  REQUIRE(second.size() == 84);
  CHECK(second[0] == "bulk.0");
  CHECK(second[1] == "bulk.3");

  for (const auto& organization : {world.first(), world.second()}) {
    auto verdict = world.run(payrollx::compliance::verify_chain(world.pool(), organization));
    CHECK(verdict.ok);
    CHECK(verdict.checked == static_cast<std::int64_t>(world.actions(organization).size()));
  }
  // NULLs stay NULLs, and JSON text is stored exactly as hashed.
  CHECK(world.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE actor_id IS NULL AND "
                          "request_id IS NULL AND entity_id IS NULL AND before IS NOT NULL") ==
        125 + 1);
  CHECK(world.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE before IS NULL") ==
        125 + 1);

  // A rolled-back bulk append leaves nothing, and the chain goes on afterwards.
  auto failing = [&](Tx& tx) -> awaitable<void> {
    std::vector<AuditEntry> bulk{World::entry(world.first(), "rolled.back", true)};
    co_await world.audit().append_many(tx, std::move(bulk));
    throw std::runtime_error("the change failed");
  };
  CHECK_THROWS_AS(world.run(world.pool().transaction(failing)), std::runtime_error);
  CHECK(world.actions(world.first()).size() == 168);
  auto more = [&](Tx& tx) -> awaitable<void> {
    std::vector<AuditEntry> bulk{World::entry(world.first(), "after.1", true),
                                 World::entry(world.first(), "after.2", false)};
    co_await world.audit().append_many(tx, std::move(bulk));
  };
  world.run(world.pool().transaction(more));
  CHECK(world.actions(world.first()).back() == "after.2");
  CHECK(world.run(payrollx::compliance::verify_chain(world.pool(), world.first())).ok);
}
