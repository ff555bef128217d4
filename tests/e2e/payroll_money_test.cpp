// The money of payroll runs: approval holds the total net or refuses with insufficient_funds,
// the hold protects the money until execution or cancellation, a run executes once whatever the
// number of concurrent requests and keys, and a failure in the middle of an execution leaves no
// trace.
#include <thread>

#include "parallel.hpp"
#include "payroll_helpers.hpp"
#include "problems.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

// An organisation with `employees` KYC-approved employees and a drafted February run.
struct Drafted {
  Org org;
  std::vector<Employee> employees;
  std::string run_id;
  std::int64_t total_net = 0;
};

Drafted drafted(TestApp& app, const std::string& who, int employees) {
  Drafted d;
  d.org = organisation(app, who);
  for (int i = 0; i < employees; ++i)
    d.employees.push_back(hire(app, d.org, fmt::format("{}-{}", who, i)));
  auto run = draft_regular(app, d.org, monthly_schedule(app, d.org));
  d.run_id = text_at(run, "id");
  d.total_net = run.at("totals").at("net").as_int64();
  return d;
}

}  // namespace

TEST_CASE(
    "payroll money: approval without the money is insufficient_funds and the run stays DRAFT") {
  TestApp app("payroll-no-funds", unthrottled());
  auto d = drafted(app, "nofunds", 2);
  auto& http = app.http();
  expect(ledger::deposit(http, d.org.finance.access_token, d.org.treasury, 300000), 201);
  auto before = ledger_state(app.sql());

  auto refused = act(app, d.org.finance.access_token, d.run_id, "approve");
  problem_fields(refused, 409, "insufficient_funds");
  auto problem = refused.json();
  CHECK(problem.at("required").as_int64() == d.total_net);
  CHECK(problem.at("available").as_int64() == 300000);
  CHECK(problem.at("shortfall").as_int64() == d.total_net - 300000);
  CHECK(text_at(get_run(app, d.org.finance.access_token, d.run_id), "status") == "DRAFT");
  CHECK(ledger_state(app.sql()) == before);

  // With the money there, the same approval goes through.
  expect(ledger::deposit(http, d.org.finance.access_token, d.org.treasury, d.total_net), 201);
  CHECK(text_at(expect(act(app, d.org.finance.access_token, d.run_id, "approve"), 200), "status") ==
        "APPROVED");
}

TEST_CASE("payroll money: an approved run's hold stops spending, and cancelling releases it") {
  TestApp app("payroll-hold", unthrottled());
  auto d = drafted(app, "hold", 2);
  auto& http = app.http();
  const auto& token = d.org.finance.access_token;
  auto spare = hire(app, d.org, "hold-spare", "2026-03-10");  // not in the February run
  expect(ledger::deposit(http, token, d.org.treasury, d.total_net), 201);
  expect(act(app, token, d.run_id, "approve"), 200);

  // Every unit is promised to the run: a transfer that would spend one is refused.
  problem_fields(ledger::transfer(http, token, d.org.treasury, spare.wallet_id, 1), 409,
                 "insufficient_funds");
  CHECK(ledger::wallet(http, token, d.org.treasury).at("available").as_int64() == 0);

  auto cancelled = expect(act(app, d.org.hr.access_token, d.run_id, "cancel"), 200);
  CHECK(text_at(cancelled, "status") == "CANCELLED");
  CHECK(audited(app.sql(), "payroll.run.cancelled", d.run_id) == 1);
  auto treasury = ledger::wallet(http, token, d.org.treasury);
  CHECK(treasury.at("held").as_int64() == 0);
  CHECK(treasury.at("available").as_int64() == d.total_net);
  expect(ledger::transfer(http, token, d.org.treasury, spare.wallet_id, 1), 201);
  CHECK(ledger::reconciliation(http, token).at("ok").as_bool());
  for (const auto& item : items_of(app, token, d.run_id))
    CHECK(text_at(item, "status") == "CANCELLED");

  // A cancelled run neither executes nor cancels again.
  problem_fields(execute(http, token, d.run_id), 409, "invalid_state");
  problem_fields(act(app, token, d.run_id, "cancel"), 409, "invalid_state");
}

TEST_CASE("payroll money: 10 parallel executions with one key move the money once") {
  TestApp app("payroll-parallel-key", unthrottled());
  auto d = drafted(app, "onekey", 3);
  const auto& token = d.org.finance.access_token;
  expect(ledger::deposit(app.http(), token, d.org.treasury, d.total_net), 201);
  expect(act(app, token, d.run_id, "approve"), 200);

  const std::string key = ledger::new_key();
  auto responses = in_parallel(app.server().port(), 10, [&](HttpClient& http, int) {
    return execute(http, token, d.run_id, key);
  });
  int executed = 0, replayed = 0, refused = 0;
  for (const auto& response : responses) {
    INFO(response.status << " " << response.body);
    if (response.status == 200 && response.header("idempotent-replayed"))
      ++replayed;
    else if (response.status == 200)
      ++executed;
    else if (response.status == 409)
      ++refused;
  }
  CHECK(executed == 1);
  CHECK(executed + replayed + refused == 10);
  CHECK(ledger::balance_of(app.http(), token, d.org.treasury) == 0);
  for (const auto& employee : d.employees)
    CHECK(ledger::balance_of(app.http(), token, employee.wallet_id) == k_monthly_pay);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE payroll_run_id = $1",
                        {d.run_id}) == 3);
  CHECK(audited(app.sql(), "payroll.run.executed", d.run_id) == 1);
  CHECK(ledger::reconciliation(app.http(), token).at("ok").as_bool());
}

TEST_CASE(
    "payroll money: 10 parallel executions with different keys - one executes, the rest 409") {
  TestApp app("payroll-parallel-keys", unthrottled());
  auto d = drafted(app, "manykeys", 3);
  const auto& token = d.org.finance.access_token;
  expect(ledger::deposit(app.http(), token, d.org.treasury, d.total_net + 1000), 201);
  expect(act(app, token, d.run_id, "approve"), 200);

  auto responses = in_parallel(app.server().port(), 10, [&](HttpClient& http, int) {
    return execute(http, token, d.run_id);
  });
  const auto counts = statuses(responses);
  INFO("first body: " << responses[0].body);
  CHECK(counts.size() == 2);
  CHECK(counts.at(200) == 1);
  CHECK(counts.at(409) == 9);
  for (const auto& response : responses)
    if (response.status == 409) CHECK(text_at(response.json(), "code") == "invalid_state");
  CHECK(ledger::balance_of(app.http(), token, d.org.treasury) == 1000);
  for (const auto& employee : d.employees)
    CHECK(ledger::balance_of(app.http(), token, employee.wallet_id) == k_monthly_pay);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transactions WHERE payroll_run_id = $1",
                        {d.run_id}) == 3);
  CHECK(ledger::reconciliation(app.http(), token).at("ok").as_bool());
}

TEST_CASE("payroll money: a failure in the middle of an execution changes nothing") {
  TestApp app("payroll-atomic", unthrottled());
  auto d = drafted(app, "atomic", 4);
  auto& http = app.http();
  const auto& token = d.org.finance.access_token;
  expect(ledger::deposit(http, token, d.org.treasury, d.total_net), 201);
  expect(act(app, token, d.run_id, "approve"), 200);
  auto& sql = app.sql();
  const std::string key = ledger::new_key();

  // Each trigger fails the execution at another point: while the items are marked paid (after
  // the money moved), and in the audit log's before-commit seal (the very last statement).
  const std::vector<std::pair<std::string, std::string>> failures{
      {"payroll.payroll_items",
       "BEFORE UPDATE ON payroll.payroll_items FOR EACH ROW WHEN (NEW.status = 'PAID' AND "
       "NEW.employee_id = '" +
           d.employees[2].id + "')"},
      {"compliance.audit_logs",
       "BEFORE INSERT ON compliance.audit_logs FOR EACH ROW WHEN (NEW.action = "
       "'payroll.run.executed')"}};
  sql.exec(
      "CREATE FUNCTION public.fail_payroll() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
      "RAISE EXCEPTION 'injected failure'; END $$");
  auto before = ledger_state(sql);
  for (const auto& [table, when] : failures) {
    INFO(table);
    sql.exec("CREATE TRIGGER fail_payroll " + when + " EXECUTE FUNCTION public.fail_payroll()");
    auto failed = execute(http, token, d.run_id, key);
    CHECK(failed.status == 500);
    sql.exec("DROP TRIGGER fail_payroll ON " + table);
    CHECK(ledger_state(sql) == before);
    CHECK(text_at(get_run(app, token, d.run_id), "status") == "APPROVED");
  }
  CHECK(ledger::wallet(http, token, d.org.treasury).at("held").as_int64() == d.total_net);

  // Nothing was stored under the key either: the same request now executes.
  auto executed = execute(http, token, d.run_id, key);
  CHECK(text_at(expect(executed, 200), "status") == "COMPLETED");
  CHECK(!executed.header("idempotent-replayed"));
  CHECK(ledger::balance_of(http, token, d.org.treasury) == 0);
  CHECK(ledger::reconciliation(http, token).at("ok").as_bool());
}

TEST_CASE(
    "payroll money: a reversal refused for spent pay names the employees and changes nothing") {
  TestApp app("payroll-reverse-short", unthrottled());
  auto d = drafted(app, "spent", 2);
  auto& http = app.http();
  const auto& token = d.org.finance.access_token;
  expect(ledger::deposit(http, token, d.org.treasury, d.total_net), 201);
  expect(act(app, token, d.run_id, "approve"), 200);
  expect(execute(http, token, d.run_id), 200);
  // The first employee's pay leaves their wallet (a pending withdrawal holds it).
  expect(ledger::withdraw(http, token, d.employees[0].wallet_id, 100), 201);

  auto before = ledger_state(app.sql());
  auto refused = reverse(http, token, d.run_id);
  problem_fields(refused, 409, "insufficient_funds");
  auto employees = refused.json().at("employees").as_array();
  REQUIRE(employees.size() == 1);
  CHECK(text_at(employees[0], "employeeId") == d.employees[0].id);
  auto after = ledger_state(app.sql());
  after.erase("core.idempotency_keys");  // the refusal is the key's stored answer
  before.erase("core.idempotency_keys");
  CHECK(after == before);
  CHECK(text_at(get_run(app, token, d.run_id), "status") == "COMPLETED");
}

TEST_CASE("payroll money: parallel executions publish one payroll.run.completed") {
  WebhookReceiver receiver;
  auto settings = unthrottled();
  settings.env.emplace_back("PAYROLLX_WEBHOOK_ALLOW_PRIVATE", "true");
  TestApp app("payroll-parallel-webhooks", settings);
  auto d = drafted(app, "published", 3);
  const auto& token = d.org.finance.access_token;
  expect(app.http().post(
             "/api/v1/webhooks",
             json::object{{"url", receiver.url()},
                          {"events", {"payroll.run.completed", "payroll.payslip.available"}}},
             d.org.admin.access_token),
         201);
  expect(ledger::deposit(app.http(), token, d.org.treasury, d.total_net), 201);
  expect(act(app, token, d.run_id, "approve"), 200);

  // The losers of the race roll back: what they queued is never sent.
  auto responses = in_parallel(app.server().port(), 8, [&](HttpClient& http, int) {
    return execute(http, token, d.run_id);
  });
  CHECK(statuses(responses).at(200) == 1);
  auto count_of = [&](std::string_view type) {
    int n = 0;
    for (const auto& request : receiver.requests())
      if (json::parse(request.body).at("type").as_string() == type) ++n;
    return n;
  };
  for (int i = 0; i < 300 && receiver.requests().size() < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(count_of("payroll.run.completed") == 1);
  CHECK(count_of("payroll.payslip.available") == 3);
  CHECK(receiver.requests().size() == 4);
}
