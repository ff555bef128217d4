// compliance::Reports' claims against a real PostgreSQL: a report is claimed by one maker at a
// time; a lapsed lease lets another take it over from scratch, after which the first maker's
// writes, its failure included, change nothing of the second's file.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "core/db/pool.hpp"
#include "modules/compliance/compliance.hpp"
#include "test_database.hpp"

namespace {

namespace asio = boost::asio;
using payrollx::Uuid;
using payrollx::compliance::Report;
using payrollx::compliance::ReportClaimLost;
using payrollx::compliance::Reports;
using payrollx::compliance::ReportStatus;
using namespace std::chrono_literals;

class World {
 public:
  World()
      : url_(payrollx::test::fresh_database("reports_claim")),
        sql_(url_),
        guard_(io_.get_executor()),
        pool_(io_.get_executor(), {.conninfo = url_, .max_size = 4}, nullptr),
        reports_(pool_, audit_) {
    thread_ = std::thread([this] { io_.run(); });
    organization_ = *Uuid::parse(*sql_.scalar(
        "INSERT INTO organization.organizations (name) VALUES ('Reports') RETURNING id::text"));
  }
  ~World() {
    run(pool_.close(5s));
    guard_.reset();
    io_.stop();
    thread_.join();
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    return asio::co_spawn(io_, std::move(task), asio::use_future).get();
  }

  Report request() {
    payrollx::compliance::ReportRequest input{
        .kind = payrollx::compliance::ReportKind::audit_export,
        .format = payrollx::compliance::ReportFormat::csv,
        .period_start = std::chrono::year{2026} / 1 / 1,
        .period_end = std::chrono::year{2026} / 12 / 31};
    auto body = [&](payrollx::db::Tx& tx) {
      return reports_.request(tx, organization_, input, actor_);
    };
    return run(pool_.transaction(body));
  }

  std::string url_;
  payrollx::test::Sql sql_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  payrollx::db::Pool pool_;
  payrollx::compliance::AuditLog audit_;
  Reports reports_;
  payrollx::compliance::Actor actor_;
  std::thread thread_;
  Uuid organization_;
};

}  // namespace

TEST_CASE("reports: a lapsed claim is taken over, and the old maker can no longer touch the file") {
  World world;
  auto& reports = world.reports_;
  const auto requested = world.request();
  CHECK(requested.status == ReportStatus::pending);

  auto first = world.run(reports.claim(60s));
  REQUIRE(first);
  CHECK(first->id == requested.id);
  CHECK(first->status == ReportStatus::running);
  CHECK_FALSE(world.run(reports.claim(60s)));  // its lease holds: nothing else is due
  world.run(reports.append(*first, 0, "from the first", 10, 60s));

  // The first maker goes silent past its lease: the next claim starts the report again.
  world.sql_.exec("UPDATE compliance.reports SET lease_until = now() - interval '1 second'");
  auto second = world.run(reports.claim(60s));
  REQUIRE(second);
  CHECK(second->attempt == first->attempt + 1);
  CHECK(world.sql_.count("SELECT count(*) FROM compliance.report_chunks") == 0);
  world.run(reports.append(*second, 0, "from the second", 50, 60s));

  CHECK_THROWS_AS(world.run(reports.append(*first, 1, "late", 20, 60s)), ReportClaimLost);
  CHECK_THROWS_AS(world.run(reports.fail(*first, "gave up")), ReportClaimLost);
  CHECK_THROWS_AS(world.run(reports.finish(*first, 1, 4, std::string(64, 'a'))), ReportClaimLost);
  CHECK(world.sql_.count("SELECT count(*) FROM compliance.report_chunks") == 1);

  world.run(reports.finish(*second, 1, 15, std::string(64, 'b')));
  auto ready = world.run(reports.get(world.organization_, requested.id));
  CHECK(ready.status == ReportStatus::ready);
  CHECK(ready.progress == 100);
  CHECK(world.run(reports.chunk(world.organization_, requested.id, 0)) == "from the second");
  CHECK_FALSE(world.run(reports.chunk(world.organization_, requested.id, 1)));
  CHECK_FALSE(world.run(reports.claim(60s)));
}
