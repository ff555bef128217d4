#pragma once
// Steps shared by the payroll end-to-end tests (tests/e2e/payroll_*_test.cpp): an organisation
// with its HR and finance members, KYC-approved employees, a monthly schedule, runs and their
// state changes, and the counts that prove a refused request changed nothing.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "ledger_helpers.hpp"
#include "test_app.hpp"

namespace payrollx::test::payroll_e2e {

namespace json = boost::json;
using ledger::expect;

constexpr auto k_runs = "/api/v1/payroll/runs";
constexpr auto k_schedules = "/api/v1/payroll/schedules";
// 60,000.00 a year: 5,000.00 (500000) a month.
constexpr std::int64_t k_annual_salary = 6000000;
constexpr std::int64_t k_monthly_pay = 500000;

// Every request of a test comes from 127.0.0.1: the per-address limit of logins and invitation
// acceptances is lifted, or the tests' own set-up would be refused.
inline ServerSettings unthrottled(ServerSettings settings = {}) {
  settings.env.emplace_back("PAYROLLX_AUTH_RATE_LIMIT", "1000000");
  return settings;
}

inline std::string text_at(const json::value& value, std::string_view key) {
  return std::string(value.at(key).as_string());
}

inline std::string run_path(const std::string& run_id, std::string_view rest = "") {
  return fmt::format("{}/{}{}", k_runs, run_id, rest);
}

// An organisation with an admin, an HR manager who drafts runs and a finance manager who
// approves and executes them.
struct Org {
  SignedUp admin;
  SignedUp hr;
  SignedUp finance;
  std::string treasury;
};

inline Org organisation(TestApp& app, const std::string& who) {
  Org org;
  org.admin = app.signup(who);
  org.hr = app.add_user(org.admin, who + "-hr", "HR_MANAGER");
  org.finance = app.add_user(org.admin, who + "-finance", "FINANCE_MANAGER");
  org.treasury = ledger::treasury_of(app.http(), org.admin.access_token);
  return org;
}

struct Employee {
  std::string id;
  std::string wallet_id;
  std::string token;  // the portal user's session, when the employee has one
};

inline json::object employee_body(const std::string& who, const std::string& hire_date,
                                  std::int64_t annual = k_annual_salary,
                                  const std::string& currency = "USD") {
  return {{"firstName", who},
          {"lastName", "Payee"},
          {"email", fmt::format("{}@payroll.example.com", who)},
          {"hireDate", hire_date},
          {"salary", {{"amount", annual}, {"currency", currency}, {"period", "ANNUAL"}}}};
}

// The employee `body` describes (KYC approved unless told otherwise), with a signed-in portal
// user on request.
inline Employee hire_as(TestApp& app, const Org& org, json::object body, bool portal_user = false,
                        bool approve_kyc = true) {
  if (portal_user) body["createUserAccount"] = true;
  auto created = expect(app.http().post("/api/v1/employees", body, org.hr.access_token), 201);
  Employee employee{
      .id = text_at(created, "id"), .wallet_id = text_at(created, "walletId"), .token = {}};
  if (approve_kyc)
    expect(app.http().post("/api/v1/employees/" + employee.id + "/kyc/approve", json::object{},
                           org.hr.access_token),
           200);
  if (portal_user) {
    const auto& invitation = created.at("invitation");
    auto accepted = app.http().post(
        "/api/v1/auth/invitations/accept",
        json::object{{"token", invitation.at("token")}, {"password", "employee password 1"}});
    employee.token = text_at(expect(accepted, 200), "accessToken");
  }
  return employee;
}

// An employee (KYC approved unless told otherwise), with a signed-in portal user on request.
inline Employee hire(TestApp& app, const Org& org, const std::string& who,
                     const std::string& hire_date = "2026-01-05", bool portal_user = false,
                     bool approve_kyc = true, std::int64_t annual = k_annual_salary,
                     const std::string& currency = "USD") {
  return hire_as(app, org, employee_body(who, hire_date, annual, currency), portal_user,
                 approve_kyc);
}

// The first day of the month `months` before today's (UTC).
inline std::string month_start_before(int months) {
  using namespace std::chrono;
  year_month_day today{floor<days>(system_clock::now())};
  auto month = year_month{today.year(), today.month()} - std::chrono::months(months);
  return fmt::format("{:04}-{:02}-01", static_cast<int>(month.year()),
                     static_cast<unsigned>(month.month()));
}

// A MONTHLY USD schedule whose first period is February 2026; answers its id.
inline std::string monthly_schedule(TestApp& app, const Org& org,
                                    const std::string& name = "Monthly",
                                    const std::string& first = "2026-02-01") {
  json::object body{{"name", name},           {"frequency", "MONTHLY"}, {"firstPeriodStart", first},
                    {"payDateOffsetDays", 0}, {"currency", "USD"},      {"autoExecute", false}};
  return text_at(expect(app.http().post(k_schedules, body, org.hr.access_token), 201), "id");
}

inline json::object regular_body(const std::string& schedule_id,
                                 const std::string& period_start = "2026-02-01",
                                 const std::string& pay_date = "2026-02-27") {
  return {{"type", "REGULAR"},
          {"scheduleId", schedule_id},
          {"periodStart", period_start},
          {"payDate", pay_date},
          {"currency", "USD"}};
}

inline HttpResponse create_run(TestApp& app, const std::string& token, const json::object& body) {
  return app.http().post(k_runs, body, token);
}

// A REGULAR run drafted by HR; answers the run.
inline json::object draft_regular(TestApp& app, const Org& org, const std::string& schedule_id,
                                  const std::string& period_start = "2026-02-01",
                                  const std::string& pay_date = "2026-02-27") {
  return expect(
      create_run(app, org.hr.access_token, regular_body(schedule_id, period_start, pay_date)), 201);
}

// The organisation's runs (up to 200), newest first.
inline std::vector<json::object> runs_of(TestApp& app, const std::string& token) {
  std::vector<json::object> runs;
  auto listed = expect(app.http().get(std::string(k_runs) + "?limit=200", token), 200);
  for (const auto& run : listed.at("data").as_array()) runs.push_back(run.as_object());
  return runs;
}

inline HttpResponse act(TestApp& app, const std::string& token, const std::string& run_id,
                        std::string_view action) {
  return app.http().post(run_path(run_id, fmt::format("/{}", action)), json::object{}, token);
}

inline HttpResponse execute(HttpClient& http, const std::string& token, const std::string& run_id,
                            const std::string& key = ledger::new_key()) {
  return http.request("POST", run_path(run_id, "/execute"), "", {{"Idempotency-Key", key}}, token);
}

inline HttpResponse reverse(HttpClient& http, const std::string& token, const std::string& run_id,
                            const std::string& key = ledger::new_key()) {
  return ledger::post_money(http, run_path(run_id, "/reverse"),
                            json::object{{"reason", "paid the wrong month"}}, token, key);
}

inline json::object get_run(TestApp& app, const std::string& token, const std::string& run_id) {
  return expect(app.http().get(run_path(run_id), token), 200);
}

// Every item of a run, following nextCursor.
inline std::vector<json::object> items_of(TestApp& app, const std::string& token,
                                          const std::string& run_id, int limit = 200) {
  std::vector<json::object> items;
  std::string cursor;
  for (;;) {
    auto target = run_path(run_id, fmt::format("/items?limit={}", limit));
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto page = expect(app.http().get(target, token), 200);
    for (const auto& item : page.at("data").as_array()) items.push_back(item.as_object());
    if (page.at("nextCursor").is_null()) return items;
    cursor = std::string(page.at("nextCursor").as_string());
  }
}

// The item of `employee_id` among `items`.
inline json::object item_of(const std::vector<json::object>& items,
                            const std::string& employee_id) {
  for (const auto& item : items)
    if (item.at("employeeId").as_string() == employee_id) return item;
  FAIL("no item for employee " << employee_id);
  return {};
}

// Event types in a user's inbox.
inline std::vector<std::string> inbox_events(TestApp& app, const std::string& token) {
  std::vector<std::string> types;
  auto inbox = expect(app.http().get("/api/v1/notifications?limit=200", token), 200);
  for (const auto& notice : inbox.at("data").as_array())
    types.emplace_back(notice.at("eventType").as_string());
  return types;
}

inline long long audited(Sql& sql, const std::string& action, const std::string& entity_id) {
  return sql.count(
      "SELECT count(*) FROM compliance.audit_logs WHERE action = $1 AND entity_id = $2",
      {action, entity_id});
}

// Everything a payroll request could have written or moved: row counts, and the sums that a
// movement changes.
inline std::map<std::string, std::string> ledger_state(Sql& sql) {
  std::map<std::string, std::string> state;
  for (const auto* table :
       {"wallet.entries", "wallet.holds", "transaction.transactions",
        "transaction.transaction_logs", "notification.notifications", "compliance.audit_logs",
        "payroll.payroll_runs", "payroll.payroll_items", "payroll.pay_schedules",
        "core.idempotency_keys"})
    state[table] = std::to_string(sql.count(std::string("SELECT count(*) FROM ") + table));
  auto scalar = [&](const std::string& name, const std::string& query) {
    state[name] = sql.scalar(query).value_or("null");
  };
  scalar("balances",
         "SELECT string_agg(id::text || '=' || balance || '/' || held, ',' "
         "ORDER BY id) FROM wallet.wallets");
  scalar("holds",
         "SELECT string_agg(reference::text || '=' || status, ',' ORDER BY id) "
         "FROM wallet.holds");
  scalar("runs",
         "SELECT string_agg(id::text || '=' || status, ',' ORDER BY id) "
         "FROM payroll.payroll_runs");
  scalar("items",
         "SELECT string_agg(id::text || '=' || status || '/' || "
         "coalesce(transaction_id::text, '-'), ',' ORDER BY id) FROM payroll.payroll_items");
  return state;
}

}  // namespace payrollx::test::payroll_e2e
