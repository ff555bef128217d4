// Scheduled payroll with two server instances on one database, both running the scheduler
// every 200 ms: each due period is drafted once, and an approved run of an autoExecute schedule is
// executed once on its pay date — the money moves once.
#include <chrono>
#include <set>
#include <thread>

#include "eventually.hpp"
#include "payroll_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

ServerSettings fast_jobs(ServerSettings settings = {}) {
  settings.env.emplace_back("PAYROLLX_JOBS_INTERVAL_MS", "200");
  return unthrottled(std::move(settings));
}

}  // namespace

TEST_CASE("payroll scheduler: two instances draft each due period once and execute once") {
  TestApp app("payroll-scheduler", fast_jobs());
  ServerProcess second(fast_jobs({.database_url = app.database_url(), .env = {}, .args = {}}));
  auto org = organisation(app, "scheduled");
  for (const auto* who : {"sam", "sue", "syd"}) hire(app, org, who);
  expect(ledger::deposit(app.http(), org.finance.access_token, org.treasury, 100'000'000), 201);

  // Monthly from two months ago: two periods are over, the current one is not.
  json::object schedule{{"name", "Scheduled"},
                        {"frequency", "MONTHLY"},
                        {"firstPeriodStart", month_start_before(2)},
                        {"payDateOffsetDays", 0},
                        {"currency", "USD"},
                        {"autoExecute", true}};
  auto schedule_id =
      text_at(expect(app.http().post(k_schedules, schedule, org.hr.access_token), 201), "id");

  REQUIRE(eventually([&] { return runs_of(app, org.finance.access_token).size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // several more ticks of both instances
  auto runs = runs_of(app, org.finance.access_token);
  REQUIRE(runs.size() == 2);
  std::set<std::string> periods;
  for (const auto& run : runs) {
    CHECK(run.at("status").as_string() == "DRAFT");
    CHECK(run.at("scheduleId").as_string() == schedule_id);
    CHECK(run.at("createdBy").is_null());  // the scheduler
    CHECK(run.at("employeeCount").as_int64() == 3);
    periods.insert(text_at(run, "periodStart"));
  }
  CHECK(periods == std::set<std::string>{month_start_before(2), month_start_before(1)});

  // The older run is approved; its pay date has passed, so the scheduler executes it.
  const auto& older = text_at(runs[0], "periodStart") == month_start_before(2) ? runs[0] : runs[1];
  const auto run_id = text_at(older, "id");
  expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  REQUIRE(eventually([&] {
    return text_at(get_run(app, org.finance.access_token, run_id), "status") == "COMPLETED";
  }));
  std::this_thread::sleep_for(std::chrono::seconds(1));

  const auto net = get_run(app, org.finance.access_token, run_id).at("totals").at("net").as_int64();
  CHECK(net > 0);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE payroll_run_id = $1",
                        {run_id}) == 3);
  CHECK(ledger::balance_of(app.http(), org.finance.access_token, org.treasury) ==
        100'000'000 - net);
  CHECK(ledger::reconciliation(app.http(), org.finance.access_token).at("ok").as_bool());
  auto other = text_at(runs[0], "id") == run_id ? runs[1] : runs[0];
  CHECK(text_at(get_run(app, org.finance.access_token, text_at(other, "id")), "status") == "DRAFT");
}

TEST_CASE("payroll scheduler: periods end and pay dates come by the organisation's time zone") {
  TestApp app("payroll-scheduler-timezone", fast_jobs());
  auto org = organisation(app, "zoned");
  hire(app, org, "zed");
  expect(ledger::deposit(app.http(), org.finance.access_token, org.treasury, 100'000'000), 201);

  // A zone whose date differs from UTC's right now: UTC+14 from 10:00 UTC, else UTC-11.
  const auto ahead = app.sql().scalar(
      "SELECT ((now() AT TIME ZONE 'Pacific/Kiritimati')::date <> "
      "(now() AT TIME ZONE 'UTC')::date)::text");
  const std::string zone = ahead == "true" ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
  auto local = [&](int days) {
    return app.sql()
        .scalar("SELECT to_char((now() AT TIME ZONE $1)::date + $2::integer, 'YYYY-MM-DD')",
                {zone, std::to_string(days)})
        .value_or("?");
  };
  REQUIRE(local(0) != app.sql().scalar("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')"));
  auto settings =
      expect(app.http().get("/api/v1/organization/settings", org.admin.access_token), 200);
  settings["timezone"] = zone;
  settings.erase("maxNetPerEmployee");
  expect(app.http().put("/api/v1/organization/settings", settings, org.admin.access_token), 200);

  auto weekly = [&](const std::string& name, int start_in_days, int pay_offset) {
    json::object body{{"name", name},
                      {"frequency", "WEEKLY"},
                      {"firstPeriodStart", local(start_in_days)},
                      {"payDateOffsetDays", pay_offset},
                      {"currency", "USD"},
                      {"autoExecute", true}};
    return text_at(expect(app.http().post(k_schedules, body, org.hr.access_token), 201), "id");
  };
  // Periods ending yesterday where the organisation is: over, drafted. Paid today there (due)
  // and tomorrow there (not yet).
  auto due = weekly("Due today", -7, 1);
  auto tomorrow = weekly("Due tomorrow", -7, 2);
  // A period ending today there: not over yet.
  auto open = weekly("Still open", -6, 1);

  auto run_of = [&](const std::string& schedule_id) -> std::optional<json::object> {
    for (auto& run : runs_of(app, org.finance.access_token))
      if (text_at(run, "scheduleId") == schedule_id) return run;
    return std::nullopt;
  };
  REQUIRE(eventually([&] { return run_of(due) && run_of(tomorrow); }));
  CHECK(text_at(*run_of(due), "payDate") == local(0));
  CHECK(text_at(*run_of(tomorrow), "payDate") == local(1));
  for (const auto& schedule : {due, tomorrow})
    expect(act(app, org.finance.access_token, text_at(*run_of(schedule), "id"), "approve"), 200);

  REQUIRE(eventually([&] { return text_at(*run_of(due), "status") == "COMPLETED"; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // several more ticks
  CHECK(text_at(*run_of(tomorrow), "status") == "APPROVED");
  CHECK_FALSE(run_of(open));
}
