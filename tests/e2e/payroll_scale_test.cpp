// A run of 1,000 employees: drafted, approved and executed set-based (a handful of statements
// whatever the number of employees), the books still reconciled. The times are reported.
#include <chrono>

#include "payroll_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

constexpr int k_employees = 1000;

std::string roster_csv() {
  std::string csv =
      "firstName,lastName,email,hireDate,salaryAmount,salaryCurrency,salaryPeriod\r\n";
  for (int i = 0; i < k_employees; ++i)
    csv += fmt::format(
        "First{0},Last{0},scale{0}@payroll.example.com,2026-01-05,60000.00,USD,"
        "ANNUAL\r\n",
        i);
  return csv;
}

template <class F>
auto timed(const char* what, F step) {
  const auto start = std::chrono::steady_clock::now();
  auto result = step();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  WARN(what << " of " << k_employees << " employees: " << took.count() << " ms");
  return result;
}

}  // namespace

TEST_CASE("payroll scale: a run of 1,000 employees executes in one set-based transaction") {
  TestApp app("payroll-scale", unthrottled());
  auto org = organisation(app, "scale");
  auto& http = app.http();
  auto imported = http.request("POST", "/api/v1/employees/import", roster_csv(),
                               {{"Content-Type", "text/csv"}}, org.hr.access_token);
  REQUIRE(expect(imported, 200).at("created").as_int64() == k_employees);
  auto settings = expect(http.get("/api/v1/organization/settings", org.admin.access_token), 200);
  settings["kycRequiredForPayroll"] = false;
  expect(http.put("/api/v1/organization/settings", settings, org.admin.access_token), 200);
  auto schedule = monthly_schedule(app, org);
  const std::int64_t total = std::int64_t{k_employees} * k_monthly_pay;
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, total), 201);

  auto run = timed("drafting", [&] { return draft_regular(app, org, schedule); });
  const auto run_id = text_at(run, "id");
  CHECK(run.at("employeeCount").as_int64() == k_employees);
  CHECK(run.at("totals").at("net").as_int64() == total);
  timed("approving",
        [&] { return expect(act(app, org.finance.access_token, run_id, "approve"), 200); });
  auto executed =
      timed("executing", [&] { return execute(http, org.finance.access_token, run_id); });
  CHECK(text_at(expect(executed, 200), "status") == "COMPLETED");

  CHECK(ledger::balance_of(http, org.finance.access_token, org.treasury) == 0);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE payroll_run_id = $1 "
                        "AND type = 'PAYROLL'",
                        {run_id}) == k_employees);
  CHECK(app.sql().count("SELECT count(*) FROM payroll.payroll_items WHERE run_id = $1 AND "
                        "status = 'PAID'",
                        {run_id}) == k_employees);
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets WHERE owner_type = 'EMPLOYEE' AND "
                        "balance = $1",
                        {std::to_string(k_monthly_pay)}) == k_employees);
  CHECK(ledger::reconciliation(http, org.finance.access_token).at("ok").as_bool());
  auto reversed =
      timed("reversing", [&] { return reverse(http, org.finance.access_token, run_id); });
  CHECK(text_at(expect(reversed, 200), "status") == "REVERSED");
  CHECK(ledger::balance_of(http, org.finance.access_token, org.treasury) == total);
}
