// A payroll run's life against the real server: drafted by HR, approved by finance (the total net
// held on the treasury), executed in one transaction (treasury down by exactly the total net,
// each employee up by their net, the books reconciled, notices and audit entries written),
// payslips with year-to-date totals, and reversed by compensating transactions.
#include <algorithm>

#include "payroll_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

std::int64_t sum_of(const std::vector<json::object>& items, std::string_view key) {
  std::int64_t total = 0;
  for (const auto& item : items) total += item.at(key).as_int64();
  return total;
}

}  // namespace

TEST_CASE("payroll lifecycle: create, approve, execute, payslips, reverse") {
  TestApp app("payroll-lifecycle", unthrottled());
  auto org = organisation(app, "lifecycle");
  auto& http = app.http();
  auto ann = hire(app, org, "ann", "2026-01-05", true);
  auto bob = hire(app, org, "bob", "2026-02-15");  // joins mid-period: 14 of 28 days
  auto schedule = monthly_schedule(app, org);

  auto run = draft_regular(app, org, schedule);
  const auto run_id = text_at(run, "id");
  CHECK(text_at(run, "status") == "DRAFT");
  CHECK(text_at(run, "type") == "REGULAR");
  CHECK(text_at(run, "scheduleId") == schedule);
  CHECK(text_at(run, "periodStart") == "2026-02-01");
  CHECK(text_at(run, "periodEnd") == "2026-02-28");
  CHECK(text_at(run, "payDate") == "2026-02-27");
  CHECK(run.at("employeeCount").as_int64() == 2);
  CHECK(run.at("skipped").as_array().empty());
  CHECK(text_at(run, "createdBy") == org.hr.user_id);
  CHECK(run.at("approvedBy").is_null());

  // Totals are the sums of the items.
  auto items = items_of(app, org.hr.access_token, run_id, 1);
  REQUIRE(items.size() == 2);
  const auto& totals = run.at("totals").as_object();
  CHECK(totals.at("gross").as_int64() == sum_of(items, "gross"));
  CHECK(totals.at("preTaxDeductions").as_int64() == sum_of(items, "preTaxDeductions"));
  CHECK(totals.at("tax").as_int64() == sum_of(items, "tax"));
  CHECK(totals.at("postTaxDeductions").as_int64() == sum_of(items, "postTaxDeductions"));
  CHECK(totals.at("net").as_int64() == sum_of(items, "net"));
  auto ann_item = item_of(items, ann.id);
  auto bob_item = item_of(items, bob.id);
  CHECK(ann_item.at("basePay").as_int64() == k_monthly_pay);
  CHECK(bob_item.at("basePay").as_int64() == k_monthly_pay / 2);
  CHECK(text_at(ann_item, "status") == "PENDING");
  CHECK(ann_item.at("transactionId").is_null());
  CHECK(ann_item.at("lines").as_array().size() >= 1);
  const auto total_net = totals.at("net").as_int64();
  CHECK(total_net == k_monthly_pay + k_monthly_pay / 2);
  CHECK(audited(app.sql(), "payroll.run.created", run_id) == 1);

  // Fund, approve: the total net is held.
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, 1000000), 201);
  auto approved = expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  CHECK(text_at(approved, "status") == "APPROVED");
  CHECK(text_at(approved, "approvedBy") == org.finance.user_id);
  auto treasury = ledger::wallet(http, org.finance.access_token, org.treasury);
  CHECK(treasury.at("held").as_int64() == total_net);
  CHECK(treasury.at("balance").as_int64() == 1000000);
  auto approved_inbox = inbox_events(app, org.hr.access_token);
  CHECK(std::count(approved_inbox.begin(), approved_inbox.end(), "payroll.run.approved") == 1);

  // Before it pays, the run has no payslip for the employee to see (HR sees the draft figures).
  problem_fields(http.get(run_path(run_id, "/payslips/" + ann.id), ann.token), 404, "not_found");
  expect(http.get(run_path(run_id, "/payslips/" + ann.id), org.hr.access_token), 200);

  // Execute: one transaction moves exactly the total net.
  auto executed = execute(http, org.finance.access_token, run_id);
  auto completed = expect(executed, 200);
  CHECK(text_at(completed, "status") == "COMPLETED");
  treasury = ledger::wallet(http, org.finance.access_token, org.treasury);
  CHECK(treasury.at("balance").as_int64() == 1000000 - total_net);
  CHECK(treasury.at("held").as_int64() == 0);
  CHECK(ledger::balance_of(http, org.finance.access_token, ann.wallet_id) ==
        ann_item.at("net").as_int64());
  CHECK(ledger::balance_of(http, org.finance.access_token, bob.wallet_id) ==
        bob_item.at("net").as_int64());
  auto books = ledger::reconciliation(http, org.finance.access_token);
  INFO(json::serialize(books));
  CHECK(books.at("ok").as_bool());
  CHECK(books.at("mismatches").as_array().empty());

  items = items_of(app, org.finance.access_token, run_id);
  for (const auto& item : items) {
    CHECK(text_at(item, "status") == "PAID");
    REQUIRE(item.at("transactionId").is_string());
    auto transaction = expect(http.get("/api/v1/transactions/" + text_at(item, "transactionId"),
                                       org.finance.access_token),
                              200);
    CHECK(text_at(transaction, "type") == "PAYROLL");
    CHECK(text_at(transaction, "status") == "COMPLETED");
    CHECK(transaction.at("amount") == item.at("net"));
    CHECK(text_at(transaction, "payrollRunId") == run_id);
    // Its history is its creation, which the row says (no history line is written for it).
    const auto& history = transaction.at("statusHistory").as_array();
    REQUIRE(history.size() == 1);
    CHECK(history[0].at("fromStatus").is_null());
    CHECK(text_at(history[0], "toStatus") == "COMPLETED");
    CHECK(text_at(history[0], "actorId") == org.finance.user_id);
    CHECK(history[0].at("createdAt") == transaction.at("createdAt"));
  }
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transaction_logs l "
                        "JOIN transaction.transactions t ON t.organization_id = l.organization_id"
                        "  AND t.id = l.transaction_id WHERE t.payroll_run_id = $1",
                        {run_id}) == 0);
  auto paid = expect(
      http.get("/api/v1/transactions?payrollRunId=" + run_id, org.finance.access_token), 200);
  CHECK(paid.at("data").as_array().size() == 2);

  // Notices: the employee with a portal user, the creator and the approver; the audit entry.
  auto ann_inbox = inbox_events(app, ann.token);
  CHECK(std::count(ann_inbox.begin(), ann_inbox.end(), "payroll.payslip.available") == 1);
  auto hr_inbox = inbox_events(app, org.hr.access_token);
  CHECK(std::count(hr_inbox.begin(), hr_inbox.end(), "payroll.run.completed") == 1);
  auto finance_inbox = inbox_events(app, org.finance.access_token);
  CHECK(std::count(finance_inbox.begin(), finance_inbox.end(), "payroll.run.completed") == 1);
  CHECK(audited(app.sql(), "payroll.run.approved", run_id) == 1);
  CHECK(audited(app.sql(), "payroll.run.executed", run_id) == 1);

  // Payslips: HR reads anyone's, the employee their own only.
  auto payslip_path = run_path(run_id, "/payslips/" + ann.id);
  auto payslip = expect(http.get(payslip_path, org.hr.access_token), 200);
  CHECK(text_at(payslip, "runId") == run_id);
  CHECK(text_at(payslip, "employeeId") == ann.id);
  CHECK(payslip.at("net") == ann_item.at("net"));
  CHECK(payslip.at("lines") == ann_item.at("lines"));
  CHECK(payslip.at("yearToDate").at("net").as_int64() == ann_item.at("net").as_int64());
  CHECK(payslip.at("yearToDate").at("gross").as_int64() == ann_item.at("gross").as_int64());
  CHECK(expect(http.get(payslip_path, ann.token), 200) == payslip);
  problem_fields(http.get(run_path(run_id, "/payslips/" + bob.id), ann.token), 404, "not_found");
  auto mine = expect(http.get("/api/v1/me/payslips", ann.token), 200);
  REQUIRE(mine.at("data").as_array().size() == 1);
  CHECK(mine.at("data").as_array()[0].as_object() == payslip);

  // Reverse: the money goes back, the books still balance, the employee is told.
  auto reversed = expect(reverse(http, org.finance.access_token, run_id), 200);
  CHECK(text_at(reversed, "status") == "REVERSED");
  CHECK(ledger::balance_of(http, org.finance.access_token, org.treasury) == 1000000);
  CHECK(ledger::balance_of(http, org.finance.access_token, ann.wallet_id) == 0);
  CHECK(ledger::balance_of(http, org.finance.access_token, bob.wallet_id) == 0);
  CHECK(ledger::reconciliation(http, org.finance.access_token).at("ok").as_bool());
  for (const auto& item : items_of(app, org.finance.access_token, run_id))
    CHECK(text_at(item, "status") == "REVERSED");
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE type = 'REVERSAL' "
                        "AND payroll_run_id = $1",
                        {run_id}) == 2);
  ann_inbox = inbox_events(app, ann.token);
  CHECK(std::count(ann_inbox.begin(), ann_inbox.end(), "payroll.run.reversed") == 1);
  CHECK(audited(app.sql(), "payroll.run.reversed", run_id) == 1);
  // A reversed run no longer counts towards the year to date.
  CHECK(expect(http.get(payslip_path, org.hr.access_token), 200)
            .at("yearToDate")
            .at("net")
            .as_int64() == 0);
  // And it is reversed once.
  problem_fields(reverse(http, org.finance.access_token, run_id), 409, "invalid_state");
}

TEST_CASE(
    "payroll lifecycle: year to date sums the completed runs of the year up to the pay date") {
  TestApp app("payroll-ytd", unthrottled());
  auto org = organisation(app, "ytd");
  auto& http = app.http();
  auto ann = hire(app, org, "ann", "2026-01-05");
  auto schedule = monthly_schedule(app, org);
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, 10000000), 201);

  std::vector<std::string> runs;
  const std::vector<std::pair<std::string, std::string>> periods{{"2026-02-01", "2026-02-27"},
                                                                 {"2026-03-01", "2026-03-31"}};
  for (const auto& [start, pay] : periods) {
    auto run = draft_regular(app, org, schedule, start, pay);
    runs.push_back(text_at(run, "id"));
    expect(act(app, org.finance.access_token, runs.back(), "approve"), 200);
    expect(execute(http, org.finance.access_token, runs.back()), 200);
  }
  // A draft of April: its payslip counts itself on top of what was paid.
  auto april = text_at(draft_regular(app, org, schedule, "2026-04-01", "2026-04-30"), "id");

  auto ytd = [&](const std::string& run_id) {
    return expect(http.get(run_path(run_id, "/payslips/" + ann.id), org.hr.access_token), 200)
        .at("yearToDate")
        .at("net")
        .as_int64();
  };
  CHECK(ytd(runs[0]) == k_monthly_pay);
  CHECK(ytd(runs[1]) == 2 * k_monthly_pay);
  CHECK(ytd(april) == 3 * k_monthly_pay);
  // The schedule moved on past the periods drafted.
  auto schedules = expect(http.get(k_schedules, org.hr.access_token), 200);
  CHECK(text_at(schedules.at("data").as_array()[0], "nextPeriodStart") == "2026-05-01");
}
