// TaxTables against a real PostgreSQL, through the interface the payroll calls: effective()
// answers the table with the latest effectiveFrom on or before the day (the newest created on a
// tie), per organisation and currency only, with its brackets in order; create() refuses an
// unknown currency and leaves nothing when its transaction rolls back.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "test_database.hpp"

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using payrollx::Date;
using payrollx::Uuid;
using payrollx::compliance::NewTaxTable;
using payrollx::compliance::TaxTable;
using payrollx::compliance::TaxTables;
using payrollx::db::Tx;

Date d(int y, unsigned m, unsigned day) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{day}};
}

class World {
 public:
  World()
      : url_(payrollx::test::fresh_database("tax_tables")),
        sql_(url_),
        guard_(io_.get_executor()),
        pool_(io_.get_executor(), options(url_), nullptr),
        tables_(pool_, audit_) {
    thread_ = std::thread([this] { io_.run(); });
    for (auto* org : {&first_, &second_})
      *org = *Uuid::parse(*sql_.scalar(
          "INSERT INTO organization.organizations (name) VALUES ($1) RETURNING id::text",
          {"Tax " + Uuid::random().str()}));
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

  TaxTable create(const Uuid& organization_id, const std::string& name, const std::string& currency,
                  Date from) {
    NewTaxTable input{.name = name,
                      .currency = currency,
                      .effective_from = from,
                      .brackets = {{1000000, 1000}, {4000000, 2000}, {std::nullopt, 3000}},
                      .standard_deduction = 1200000};
    auto body = [&](Tx& tx) { return tables_.create(tx, organization_id, input, system_); };
    return run(pool_.transaction(body));
  }

  std::optional<TaxTable> effective(const Uuid& organization_id, const std::string& currency,
                                    Date day) {
    auto body = [&](Tx& tx) { return tables_.effective(tx, organization_id, currency, day); };
    return run(pool_.transaction(body));
  }

  static payrollx::db::PoolOptions options(const std::string& url) {
    payrollx::db::PoolOptions options;
    options.conninfo = url;
    options.max_size = 4;
    return options;
  }

  std::string url_;
  payrollx::test::Sql sql_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  payrollx::db::Pool pool_;
  payrollx::compliance::AuditLog audit_;
  TaxTables tables_;
  payrollx::compliance::Actor system_;  // no user: created_by stays NULL
  std::thread thread_;
  Uuid first_;
  Uuid second_;
};

std::optional<Uuid> id_of(const std::optional<TaxTable>& table) {
  if (!table) return std::nullopt;
  return table->id;
}

}  // namespace

TEST_CASE("tax tables: effective() answers the latest table on or before the day",
          "[integration]") {
  World world;
  const auto& org = world.first_;
  CHECK_FALSE(world.effective(org, "USD", d(2026, 6, 1)));

  auto january = world.create(org, "January", "USD", d(2026, 1, 1));
  auto july = world.create(org, "July", "USD", d(2026, 7, 1));
  auto july_fix = world.create(org, "July fix", "USD", d(2026, 7, 1));  // the newer on a tie
  auto euro = world.create(org, "Euro", "EUR", d(2026, 3, 1));
  auto other = world.create(world.second_, "Other", "USD", d(2025, 1, 1));

  CHECK_FALSE(world.effective(org, "USD", d(2025, 12, 31)));
  CHECK(id_of(world.effective(org, "USD", d(2026, 1, 1))) == january.id);
  CHECK(id_of(world.effective(org, "USD", d(2026, 6, 30))) == january.id);
  CHECK(id_of(world.effective(org, "USD", d(2026, 7, 1))) == july_fix.id);
  CHECK(id_of(world.effective(org, "USD", d(2030, 1, 1))) == july_fix.id);
  CHECK(id_of(world.effective(org, "EUR", d(2026, 7, 1))) == euro.id);
  CHECK_FALSE(world.effective(org, "EUR", d(2026, 2, 28)));
  CHECK_FALSE(world.effective(org, "GBP", d(2026, 7, 1)));
  // The other organisation's older table is never the first's, and the reverse.
  CHECK(id_of(world.effective(world.second_, "USD", d(2026, 7, 1))) == other.id);
  CHECK_FALSE(world.effective(world.second_, "EUR", d(2026, 7, 1)));
  CHECK(july.id != july_fix.id);

  // The whole table comes back as created, brackets in order, the last one open.
  auto found = world.effective(org, "USD", d(2026, 2, 1));
  REQUIRE(found);
  CHECK(found->organization_id == org);
  CHECK(found->name == "January");
  CHECK(found->currency == "USD");
  CHECK(found->effective_from == d(2026, 1, 1));
  CHECK(found->standard_deduction == 1200000);
  CHECK(found->created_at == january.created_at);
  REQUIRE(found->brackets.size() == 3);
  CHECK(found->brackets[0].up_to == 1000000);
  CHECK(found->brackets[0].rate_basis_points == 1000);
  CHECK(found->brackets[1].up_to == 4000000);
  CHECK(found->brackets[1].rate_basis_points == 2000);
  CHECK_FALSE(found->brackets[2].up_to);
  CHECK(found->brackets[2].rate_basis_points == 3000);
}

TEST_CASE("tax tables: create() refuses an unknown currency, and a rollback leaves nothing",
          "[integration]") {
  World world;
  try {
    world.create(world.first_, "Unknown", "XYZ", d(2026, 1, 1));
    FAIL("an unknown currency was accepted");
  } catch (const payrollx::Problem& problem) {
    CHECK(problem.status() == 400);
    CHECK(problem.code() == "validation_failed");
    REQUIRE(problem.errors().size() == 1);
    CHECK(problem.errors()[0].field == "currency");
  }

  NewTaxTable input{.name = "Rolled back",
                    .currency = "USD",
                    .effective_from = d(2026, 1, 1),
                    .brackets = {{std::nullopt, 1000}},
                    .standard_deduction = 0};
  auto body = [&](Tx& tx) -> awaitable<void> {
    co_await world.tables_.create(tx, world.first_, input, world.system_);
    throw std::runtime_error("the caller's later step failed");
  };
  CHECK_THROWS_AS(world.run(world.pool_.transaction(body)), std::runtime_error);
  CHECK(world.sql_.count("SELECT count(*) FROM compliance.tax_tables") == 0);
  CHECK(world.sql_.count("SELECT count(*) FROM compliance.tax_brackets") == 0);
  CHECK(world.sql_.count("SELECT count(*) FROM compliance.audit_logs") == 0);
}
