// Tenant isolation: a second organisation's admin gets 404 on every id-bearing route of the
// first organisation's resources, exactly as for ids that do not exist, and sees none of its
// rows in lists. The sweep is driven by the server's own OpenAPI document, so a new id-bearing
// route without a case here fails the test.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "ledger_helpers.hpp"
#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::upper;
namespace ledger = payrollx::test::ledger;

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

// `ids` holds one id per path parameter, in order, separated by commas.
std::string with_id(std::string pattern, const std::string& ids) {
  std::size_t from = 0;
  for (auto open = pattern.find('{'); open != std::string::npos; open = pattern.find('{')) {
    auto comma = ids.find(',', from);
    auto id = ids.substr(from, comma == std::string::npos ? comma : comma - from);
    pattern.replace(open, pattern.find('}') - open + 1, id);
    from = comma == std::string::npos ? ids.size() : comma + 1;
  }
  return pattern;
}

std::set<std::string> ids_in(const HttpResponse& list) {
  std::set<std::string> ids;
  auto body = list.json();  // a range-for would not keep a temporary document alive
  for (const auto& item : body.at("data").as_array())
    ids.insert(std::string(item.at("id").as_string()));
  return ids;
}

}  // namespace

TEST_CASE("tenant isolation: another organisation's ids answer 404 and change nothing", "[e2e]") {
  TestApp app("tenant_isolation");
  auto a_admin = app.signup("tenant-a");
  auto a_member = app.add_user(a_admin, "tenant-a-hr", "HR_MANAGER");
  auto b_admin = app.signup("tenant-b");
  auto& http = app.http();

  auto a_notifications = http.get("/api/v1/notifications", a_member.access_token);
  REQUIRE(a_notifications.status == 200);
  REQUIRE(!a_notifications.json().at("data").as_array().empty());
  auto a_notification_id =
      std::string(a_notifications.json().at("data").as_array()[0].at("id").as_string());

  // A's money: a deposit into its treasury and a pending withdrawal from it.
  auto a_treasury = ledger::treasury_of(http, a_admin.access_token);
  auto a_deposit = ledger::id_of(ledger::deposit(http, a_admin.access_token, a_treasury, 1000));
  auto a_withdrawal = ledger::id_of(ledger::withdraw(http, a_admin.access_token, a_treasury, 100));
  const std::string amount = R"({"amount":100,"reference":"r"})";
  const std::string withdrawal =
      fmt::format(R"({{"amount":100,"destinationAddress":"{}"}})", ledger::k_destination);
  const std::string reason = R"({"reason":"r"})";

  // A's employee and one of its documents.
  auto a_employee_created =
      http.post("/api/v1/employees",
                {{"firstName", "A"},
                 {"lastName", "Employee"},
                 {"email", "a-employee@tenant.example.com"},
                 {"hireDate", "2026-01-01"},
                 {"salary", {{"amount", 100000}, {"currency", "USD"}, {"period", "MONTHLY"}}}},
                a_admin.access_token);
  REQUIRE(a_employee_created.status == 201);
  const std::string a_employee(a_employee_created.json().at("id").as_string());
  auto a_document_created = http.request(
      "POST", "/api/v1/employees/" + a_employee + "/documents?documentType=ID&fileName=a.pdf",
      "%PDF-1.4 a", {{"Content-Type", "application/pdf"}}, a_admin.access_token);
  REQUIRE(a_document_created.status == 201);
  const std::string a_document(a_document_created.json().at("id").as_string());

  // A's payroll: a schedule and a drafted run paying a KYC-approved employee.
  auto a_payee_created =
      http.post("/api/v1/employees",
                {{"firstName", "A"},
                 {"lastName", "Payee"},
                 {"email", "a-payee@tenant.example.com"},
                 {"hireDate", "2026-01-01"},
                 {"salary", {{"amount", 100000}, {"currency", "USD"}, {"period", "MONTHLY"}}}},
                a_admin.access_token);
  REQUIRE(a_payee_created.status == 201);
  const std::string a_payee(a_payee_created.json().at("id").as_string());
  REQUIRE(http.post("/api/v1/employees/" + a_payee + "/kyc/approve", json::object{},
                    a_admin.access_token)
              .status == 200);
  auto a_schedule_created = http.post("/api/v1/payroll/schedules",
                                      {{"name", "A monthly"},
                                       {"frequency", "MONTHLY"},
                                       {"firstPeriodStart", "2026-02-01"},
                                       {"currency", "USD"}},
                                      a_admin.access_token);
  REQUIRE(a_schedule_created.status == 201);
  const std::string a_schedule(a_schedule_created.json().at("id").as_string());
  auto a_run_created =
      http.post("/api/v1/payroll/runs",
                {{"type", "REGULAR"}, {"scheduleId", a_schedule}, {"payDate", "2026-02-28"}},
                a_admin.access_token);
  INFO(a_run_created.body);
  REQUIRE(a_run_created.status == 201);
  const std::string a_run(a_run_created.json().at("id").as_string());
  REQUIRE(a_run_created.json().at("employeeCount").as_int64() == 1);

  // A's webhook endpoint (a public literal address: no DNS) and a delivery to it.
  auto a_endpoint_created =
      http.post("/api/v1/webhooks",
                {{"url", "https://93.184.216.34/hook"}, {"events", {"wallet.deposit.completed"}}},
                a_admin.access_token);
  REQUIRE(a_endpoint_created.status == 201);
  const std::string a_endpoint(a_endpoint_created.json().at("id").as_string());
  REQUIRE(ledger::deposit(http, a_admin.access_token, a_treasury, 10).status == 201);
  const auto a_delivery = app.sql()
                              .scalar(
                                  "SELECT id::text FROM notification.deliveries "
                                  "WHERE endpoint_id = $1",
                                  {a_endpoint})
                              .value_or("");
  REQUIRE_FALSE(a_delivery.empty());

  const auto a_report = std::string(http.post("/api/v1/compliance/reports",
                                              {{"kind", "AUDIT_EXPORT"},
                                               {"format", "CSV"},
                                               {"periodStart", "2026-01-01"},
                                               {"periodEnd", "2026-12-31"}},
                                              a_admin.access_token)
                                        .json()
                                        .at("id")
                                        .as_string());

  // How B calls each id-bearing route with one of A's ids; each must be 404 not_found.
  struct Case {
    std::string id;
    std::string body;
  };
  const std::map<std::string, std::vector<Case>> cases{
      {"PATCH /api/v1/users/{id}",
       {{a_member.user_id, R"({"role":"EMPLOYEE"})"}, {a_admin.user_id, R"({"isActive":false})"}}},
      {"POST /api/v1/notifications/{id}/read", {{a_notification_id, ""}}},
      {"GET /api/v1/employees/{id}", {{a_employee, ""}}},
      {"PATCH /api/v1/employees/{id}", {{a_employee, R"({"position":"x"})"}}},
      {"POST /api/v1/employees/{id}/terminate",
       {{a_employee, R"({"terminationDate":"2026-12-31"})"}}},
      {"GET /api/v1/employees/{id}/components", {{a_employee, ""}}},
      {"PUT /api/v1/employees/{id}/components", {{a_employee, "[]"}}},
      {"POST /api/v1/employees/{id}/kyc/approve", {{a_employee, ""}}},
      {"POST /api/v1/employees/{id}/kyc/reject", {{a_employee, reason}}},
      {"PUT /api/v1/employees/{id}/wallet-address",
       {{a_employee, R"({"walletAddress":"11111111111111111111111111111111"})"}}},
      {"POST /api/v1/employees/{id}/documents", {{a_employee, ""}}},
      {"GET /api/v1/employees/{id}/documents", {{a_employee, ""}}},
      {"GET /api/v1/employees/{id}/documents/{docId}/content",
       {{a_employee + "," + a_document, ""}}},
      {"GET /api/v1/wallets/{id}", {{a_treasury, ""}}},
      {"GET /api/v1/wallets/{id}/entries", {{a_treasury, ""}}},
      {"POST /api/v1/wallets/{id}/deposits", {{a_treasury, amount}}},
      {"POST /api/v1/wallets/{id}/withdrawals", {{a_treasury, withdrawal}}},
      {"GET /api/v1/transactions/{id}", {{a_deposit, ""}, {a_withdrawal, ""}}},
      {"POST /api/v1/transactions/{id}/complete", {{a_withdrawal, R"({"externalReference":"x"})"}}},
      {"POST /api/v1/transactions/{id}/fail", {{a_withdrawal, reason}}},
      {"POST /api/v1/transactions/{id}/settle", {{a_withdrawal, ""}}},
      {"POST /api/v1/transactions/{id}/reverse", {{a_deposit, reason}}},
      {"PATCH /api/v1/payroll/schedules/{id}", {{a_schedule, R"({"status":"PAUSED"})"}}},
      {"GET /api/v1/payroll/runs/{id}", {{a_run, ""}}},
      {"GET /api/v1/payroll/runs/{id}/items", {{a_run, ""}}},
      {"POST /api/v1/payroll/runs/{id}/recalculate", {{a_run, ""}}},
      {"POST /api/v1/payroll/runs/{id}/approve", {{a_run, ""}}},
      {"POST /api/v1/payroll/runs/{id}/execute", {{a_run, ""}}},
      {"POST /api/v1/payroll/runs/{id}/cancel", {{a_run, ""}}},
      {"POST /api/v1/payroll/runs/{id}/reverse", {{a_run, reason}}},
      {"GET /api/v1/payroll/runs/{id}/payslips/{employeeId}", {{a_run + "," + a_payee, ""}}},
      {"GET /api/v1/webhooks/{id}", {{a_endpoint, ""}}},
      {"GET /api/v1/compliance/reports/{id}", {{a_report, ""}}},
      {"GET /api/v1/compliance/reports/{id}/download", {{a_report, ""}}},
      {"DELETE /api/v1/webhooks/{id}", {{a_endpoint, ""}}},
      {"GET /api/v1/webhooks/{id}/deliveries", {{a_endpoint, ""}}},
      {"POST /api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
       {{a_endpoint + "," + a_delivery, ""}}},
  };

  auto openapi = http.get("/api/v1/openapi.json").json().as_object();
  int checked = 0;
  for (const auto& [path, item] : openapi.at("paths").as_object()) {
    if (std::string(path).find('{') == std::string::npos) continue;
    // An event type names no resource: B's template of it is B's own (checked below).
    if (std::string(path).ends_with("{eventType}")) continue;
    // The platform's routes span organisations; tenants get 403 there (organization tests).
    if (std::string(path).starts_with("/api/v1/admin/")) continue;
    for (const auto& [method, operation] : item.as_object()) {
      (void)operation;
      const std::string key = upper(std::string(method)) + " " + std::string(path);
      auto found = cases.find(key);
      INFO(key);
      REQUIRE(found != cases.end());  // every id-bearing route needs an isolation case
      for (const auto& c : found->second) {
        // Money routes need an Idempotency-Key; the others ignore it.
        auto response =
            http.request(upper(std::string(method)), with_id(std::string(path), c.id), c.body,
                         {{"Idempotency-Key", ledger::new_key()}}, b_admin.access_token);
        INFO(response.body);
        CHECK(response.status == 404);
        CHECK(response.json().at("code").as_string() == "not_found");
        ++checked;
      }
    }
  }
  CHECK(checked >= 3);

  // Nothing of A changed.
  CHECK(app.sql().scalar("SELECT role FROM auth.users WHERE id = $1", {a_member.user_id}) ==
        "HR_MANAGER");
  CHECK(app.sql().scalar("SELECT is_active::text FROM auth.users WHERE id = $1",
                         {a_admin.user_id}) == "true");
  CHECK(app.sql().scalar("SELECT read_at IS NULL FROM notification.notifications WHERE id = $1",
                         {a_notification_id}) == "t");
  CHECK(app.sql().scalar("SELECT status || ' ' || kyc_status || ' ' || coalesce(position, '-') || "
                         "' ' || (wallet_address IS NULL) FROM employee.employees WHERE id = $1",
                         {a_employee}) == "ACTIVE PENDING - true");
  CHECK(app.sql().count("SELECT count(*) FROM employee.documents") == 1);
  auto a_wallet = ledger::wallet(http, a_admin.access_token, a_treasury);
  CHECK(a_wallet.at("balance").as_int64() == 1010);
  CHECK(a_wallet.at("held").as_int64() == 100);
  CHECK(app.sql().scalar("SELECT status FROM transaction.transactions WHERE id = $1",
                         {a_withdrawal}) == "PENDING");
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions") == 3);
  // A's webhook endpoint is alive, and B's lists do not show it.
  CHECK(app.sql().scalar("SELECT (deleted_at IS NULL)::text FROM notification.webhook_endpoints "
                         "WHERE id = $1",
                         {a_endpoint}) == "true");
  CHECK(ids_in(http.get("/api/v1/webhooks", b_admin.access_token)).empty());
  // A template is the organisation's own: A's override leaves B with the default.
  const std::string invited_template = "/api/v1/notifications/templates/user.invited";
  REQUIRE(http.put(invited_template, {{"subject", "A's own"}, {"body", "Token {{token}}"}},
                   a_admin.access_token)
              .status == 200);
  CHECK(http.get(invited_template, b_admin.access_token).json().at("isDefault").as_bool());

  // A's payroll is as it was, and B neither sees it nor pays A's employees.
  CHECK(app.sql().scalar("SELECT status || ' ' || employee_count FROM payroll.payroll_runs "
                         "WHERE id = $1",
                         {a_run}) == "DRAFT 1");
  CHECK(app.sql().scalar("SELECT status FROM payroll.pay_schedules WHERE id = $1", {a_schedule}) ==
        "ACTIVE");
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE entity_id = $1",
                        {a_run}) == 1);
  CHECK(ids_in(http.get("/api/v1/payroll/runs", b_admin.access_token)).empty());
  CHECK(ids_in(http.get("/api/v1/payroll/schedules", b_admin.access_token)).empty());
  CHECK(http.get("/api/v1/payroll/runs?scheduleId=" + a_schedule, b_admin.access_token)
            .json()
            .at("data")
            .as_array()
            .empty());
  auto b_off_cycle = http.post("/api/v1/payroll/runs",
                               {{"type", "OFF_CYCLE"},
                                {"periodStart", "2026-02-01"},
                                {"periodEnd", "2026-02-28"},
                                {"payDate", "2026-02-28"},
                                {"currency", "USD"},
                                {"employeeIds", json::array{a_payee}}},
                               b_admin.access_token);
  CHECK(b_off_cycle.status == 404);
  auto b_regular =
      http.post("/api/v1/payroll/runs",
                {{"type", "REGULAR"}, {"scheduleId", a_schedule}, {"payDate", "2026-02-28"}},
                b_admin.access_token);
  CHECK(b_regular.status == 404);
  CHECK(app.sql().count("SELECT count(*) FROM payroll.payroll_runs") == 1);

  // B's lists of money show none of A's.
  auto b_wallets = ids_in(http.get("/api/v1/wallets", b_admin.access_token));
  CHECK(b_wallets.count(a_treasury) == 0);
  CHECK(b_wallets.size() == 1);
  CHECK(ids_in(http.get("/api/v1/transactions", b_admin.access_token)).empty());
  CHECK(http.get("/api/v1/transactions?walletId=" + a_treasury, b_admin.access_token)
            .json()
            .at("data")
            .as_array()
            .empty());

  // Lists show B only its own rows.
  CHECK(ids_in(http.get("/api/v1/employees", b_admin.access_token)).empty());
  auto b_users = ids_in(http.get("/api/v1/users", b_admin.access_token));
  CHECK(b_users.count(a_admin.user_id) == 0);
  CHECK(b_users.count(a_member.user_id) == 0);
  CHECK(b_users.count(b_admin.user_id) == 1);
  auto b_audit =
      http.get("/api/v1/audit-logs?entityId=" + a_admin.organization_id, b_admin.access_token);
  REQUIRE(b_audit.status == 200);
  CHECK(b_audit.json().at("data").as_array().empty());
  auto b_notifications = ids_in(http.get("/api/v1/notifications", b_admin.access_token));
  CHECK(b_notifications.count(a_notification_id) == 0);
  auto b_org = http.get("/api/v1/organization", b_admin.access_token);
  CHECK(b_org.json().at("id").as_string() == b_admin.organization_id);
}
