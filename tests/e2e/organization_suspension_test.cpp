// Suspending an organisation: the platform operator suspends a tenant and every request of its
// members — sign-in and refresh too — answers 403 organization_suspended on every instance, its
// scheduled runs and webhook deliveries wait and no money of it moves, other organisations go on
// untouched; reactivating resumes everything where it was. Both are audited.
#include <algorithm>
#include <chrono>
#include <thread>

#include "eventually.hpp"
#include "payroll_helpers.hpp"
#include "problems.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;
using namespace std::chrono_literals;

std::string admin_path(const std::string& organization_id, std::string_view action) {
  return fmt::format("/api/v1/admin/organizations/{}/{}", organization_id, action);
}

HttpResponse suspend(HttpClient& http, const std::string& token, const std::string& organization_id,
                     const std::string& reason = "unpaid") {
  return http.post(admin_path(organization_id, "suspend"), json::object{{"reason", reason}}, token);
}

HttpResponse reactivate(HttpClient& http, const std::string& token,
                        const std::string& organization_id) {
  return http.post(admin_path(organization_id, "reactivate"), json::object{}, token);
}

void require_suspended_answer(const HttpResponse& response) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == 403);
  CHECK(response.json().at("code").as_string() == "organization_suspended");
}

HttpResponse login(HttpClient& http, const SignedUp& user) {
  return http.post("/api/v1/auth/login",
                   json::object{{"email", user.email}, {"password", user.password}});
}

HttpResponse refresh(HttpClient& http, const SignedUp& user) {
  return http.post("/api/v1/auth/refresh", json::object{{"refreshToken", user.refresh_token}});
}

}  // namespace

TEST_CASE("suspension: members are refused everywhere until reactivated, others untouched") {
  TestApp app("organization-suspension", unthrottled());
  ServerProcess second(unthrottled({.database_url = app.database_url(), .env = {}, .args = {}}));
  HttpClient other_instance(second.port());
  auto& http = app.http();
  auto suspended = organisation(app, "suspended");
  auto bystander = organisation(app, "bystander");
  const auto operator_token = app.super_admin().access_token;
  expect(ledger::deposit(http, suspended.finance.access_token, suspended.treasury, 50'000), 201);
  // The second instance has seen the member before the suspension.
  expect(other_instance.get("/api/v1/organization", suspended.admin.access_token), 200);

  // Only the operator suspends, with a reason.
  auto by_tenant = suspend(http, bystander.admin.access_token, suspended.admin.organization_id);
  CHECK(problem_fields(by_tenant, 403, "forbidden").empty());
  CHECK(problem_fields(suspend(http, operator_token, suspended.admin.organization_id, ""), 400,
                       "validation_failed")
            .contains("reason"));
  CHECK(problem_fields(suspend(http, operator_token, "00000000-0000-4000-8000-000000000000"), 404,
                       "not_found")
            .empty());

  const auto state_before = ledger_state(app.sql());
  auto answer = expect(suspend(http, operator_token, suspended.admin.organization_id), 200);
  CHECK(text_at(answer, "status") == "SUSPENDED");
  CHECK(text_at(answer, "id") == suspended.admin.organization_id);
  CHECK(problem_fields(suspend(http, operator_token, suspended.admin.organization_id), 409,
                       "invalid_state")
            .empty());

  // Every member, every kind of request, on both instances (the second learns it by NOTIFY).
  require_suspended_answer(http.get("/api/v1/organization", suspended.admin.access_token));
  require_suspended_answer(http.get("/api/v1/wallets", suspended.finance.access_token));
  require_suspended_answer(
      ledger::deposit(http, suspended.finance.access_token, suspended.treasury, 1'000));
  require_suspended_answer(
      ledger::withdraw(http, suspended.finance.access_token, suspended.treasury, 1'000));
  require_suspended_answer(http.post("/api/v1/employees", employee_body("late", "2026-01-05"),
                                     suspended.hr.access_token));
  require_suspended_answer(login(http, suspended.admin));
  require_suspended_answer(refresh(http, suspended.hr));
  CHECK(eventually([&] {
    return other_instance.get("/api/v1/organization", suspended.admin.access_token).status == 403;
  }));
  require_suspended_answer(
      other_instance.get("/api/v1/organization", suspended.finance.access_token));
  require_suspended_answer(login(other_instance, suspended.finance));

  // Nothing of it moved or changed but the suspension's own audit entry.
  auto state_during = ledger_state(app.sql());
  CHECK(state_during.at("compliance.audit_logs") ==
        std::to_string(std::stoll(state_before.at("compliance.audit_logs")) + 1));
  state_during.erase("compliance.audit_logs");
  auto expected_during = state_before;
  expected_during.erase("compliance.audit_logs");
  CHECK(state_during == expected_during);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = "
                        "'organization.suspended' AND organization_id = $1 AND "
                        "after->>'reason' = 'unpaid' AND after->>'status' = 'SUSPENDED'",
                        {suspended.admin.organization_id}) == 1);

  // Another organisation goes on as before, on both instances.
  expect(http.get("/api/v1/organization", bystander.admin.access_token), 200);
  expect(ledger::deposit(http, bystander.finance.access_token, bystander.treasury, 1'000), 201);
  expect(login(other_instance, bystander.hr), 200);

  // Reactivated: the same tokens work again; the refresh refused above rotated nothing.
  CHECK(problem_fields(
            reactivate(http, bystander.admin.access_token, suspended.admin.organization_id), 403,
            "forbidden")
            .empty());
  auto active = expect(reactivate(http, operator_token, suspended.admin.organization_id), 200);
  CHECK(text_at(active, "status") == "ACTIVE");
  CHECK(problem_fields(reactivate(http, operator_token, suspended.admin.organization_id), 409,
                       "invalid_state")
            .empty());
  expect(http.get("/api/v1/organization", suspended.admin.access_token), 200);
  expect(login(http, suspended.admin), 200);
  expect(refresh(http, suspended.hr), 200);
  expect(ledger::deposit(http, suspended.finance.access_token, suspended.treasury, 1'000), 201);
  CHECK(ledger::balance_of(http, suspended.finance.access_token, suspended.treasury) == 51'000);
  CHECK(eventually([&] {
    return other_instance.get("/api/v1/organization", suspended.finance.access_token).status == 200;
  }));
  CHECK(audited(app.sql(), "organization.reactivated", suspended.admin.organization_id) == 1);
  CHECK(audited(app.sql(), "organization.suspended", suspended.admin.organization_id) == 1);
  CHECK(expect(http.get("/api/v1/audit-logs/verify", suspended.admin.access_token), 200)
            .at("ok")
            .as_bool());
}

TEST_CASE("suspension: scheduled runs and webhook deliveries wait, then resume where they were") {
  // The first server's jobs sleep (TestApp's default); the scheduler that matters is a second
  // instance started once the organisation is suspended, ticking every 200 ms.
  ServerSettings settings = unthrottled();
  settings.env.emplace_back("PAYROLLX_WEBHOOK_ALLOW_PRIVATE", "true");
  settings.env.emplace_back("PAYROLLX_OUTBOX_BACKOFF_MS", "4000");  // a retry 2 to 4 s later
  TestApp app("organization-suspension-jobs", settings);
  auto& http = app.http();
  auto paused = organisation(app, "paused");
  auto busy = organisation(app, "busy");
  const auto operator_token = app.super_admin().access_token;
  for (const auto* org : {&paused, &busy}) {
    hire(app, *org, org == &paused ? "pia" : "bob");
    expect(ledger::deposit(http, org->finance.access_token, org->treasury, 10'000'000), 201);
  }

  // The paused organisation's receiver fails the first delivery (of the run's creation or its
  // approval, whichever comes first), so a retry is pending.
  WebhookReceiver receiver({.statuses = {500}, .delay = 0ms, .answer_bytes = 0});
  expect(http.post("/api/v1/webhooks",
                   json::object{{"url", receiver.url()}, {"events", json::array{"*"}}},
                   paused.admin.access_token),
         201);

  // Both have a monthly autoExecute schedule from two months ago; the paused one also has the
  // first period's run drafted and approved by hand, paid on a date that has passed.
  auto schedule_of = [&](const Org& org) {
    json::object body{{"name", "Monthly"},
                      {"frequency", "MONTHLY"},
                      {"firstPeriodStart", month_start_before(2)},
                      {"payDateOffsetDays", 0},
                      {"currency", "USD"},
                      {"autoExecute", true}};
    return text_at(expect(http.post(k_schedules, body, org.hr.access_token), 201), "id");
  };
  auto paused_schedule = schedule_of(paused);
  schedule_of(busy);
  auto approved =
      draft_regular(app, paused, paused_schedule, month_start_before(2), month_start_before(1));
  const auto approved_id = text_at(approved, "id");
  expect(act(app, paused.finance.access_token, approved_id, "approve"), 200);
  REQUIRE(eventually([&] { return receiver.requests().size() == 2; }));
  const auto failed_body = receiver.requests()[0].body;
  auto sent_times = [&](const std::string& body) {
    auto requests = receiver.requests();
    return std::count_if(requests.begin(), requests.end(),
                         [&](const ReceivedRequest& request) { return request.body == body; });
  };

  const auto paused_balance =
      ledger::balance_of(http, paused.finance.access_token, paused.treasury);
  expect(suspend(http, operator_token, paused.admin.organization_id), 200);
  const auto runs_before =
      app.sql().count("SELECT count(*) FROM payroll.payroll_runs WHERE organization_id = $1",
                      {paused.admin.organization_id});

  ServerProcess scheduler(unthrottled(
      {.database_url = app.database_url(),
       .env = {{"PAYROLLX_JOBS_INTERVAL_MS", "200"}, {"PAYROLLX_WEBHOOK_ALLOW_PRIVATE", "true"}},
       .args = {}}));
  // The busy organisation's two past periods are drafted; the paused one's second is not, its
  // approved run is not executed and its retry is not sent, well past the retry's time.
  REQUIRE(eventually([&] { return runs_of(app, busy.finance.access_token).size() >= 2; }));
  std::this_thread::sleep_for(5s);
  CHECK(app.sql().count("SELECT count(*) FROM payroll.payroll_runs WHERE organization_id = $1",
                        {paused.admin.organization_id}) == runs_before);
  CHECK(app.sql().scalar("SELECT status FROM payroll.payroll_runs WHERE id = $1", {approved_id}) ==
        "APPROVED");
  CHECK(receiver.requests().size() == 2);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE organization_id = $1 "
                        "AND payroll_run_id IS NOT NULL",
                        {paused.admin.organization_id}) == 0);

  // Reactivated: the retry goes out, the approved run is executed once, the next period drafted.
  expect(reactivate(http, operator_token, paused.admin.organization_id), 200);
  REQUIRE(eventually([&] {
    return text_at(get_run(app, paused.finance.access_token, approved_id), "status") == "COMPLETED";
  }));
  CHECK(eventually([&] { return sent_times(failed_body) == 2; }));
  REQUIRE(eventually([&] {
    return app.sql().count("SELECT count(*) FROM payroll.payroll_runs WHERE organization_id = $1",
                           {paused.admin.organization_id}) == runs_before + 1;
  }));
  const auto net =
      get_run(app, paused.finance.access_token, approved_id).at("totals").at("net").as_int64();
  CHECK(net > 0);
  CHECK(ledger::balance_of(http, paused.finance.access_token, paused.treasury) ==
        paused_balance - net);
  CHECK(ledger::reconciliation(http, paused.finance.access_token).at("ok").as_bool());
}
