// The rules of drafting and approving runs: who is in a REGULAR run and why the others are
// skipped, the order of its items, one REGULAR run per schedule and period, off-cycle runs,
// recalculation, the four-eyes policy, nets that block approval, and the preview that stores
// nothing.
#include <set>

#include "payroll_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

std::map<std::string, std::string> skipped_of(const json::object& run) {
  std::map<std::string, std::string> skipped;
  for (const auto& entry : run.at("skipped").as_array())
    skipped[text_at(entry, "employeeId")] = text_at(entry, "reason");
  return skipped;
}

json::object fixed_component(const std::string& kind, const std::string& name, std::int64_t amount,
                             bool pre_tax = false) {
  return {{"kind", kind},     {"name", name},      {"calc", "FIXED"},
          {"amount", amount}, {"preTax", pre_tax}, {"effectiveFrom", "2026-01-01"}};
}

void put_components(TestApp& app, const Org& org, const std::string& employee_id,
                    const json::array& components) {
  auto response = app.http().put("/api/v1/employees/" + employee_id + "/components", components,
                                 org.hr.access_token);
  INFO(response.body);
  REQUIRE(response.status == 200);
}

}  // namespace

TEST_CASE("payroll rules: a REGULAR run pays the eligible and lists the skipped with reasons") {
  TestApp app("payroll-skipped", unthrottled());
  auto org = organisation(app, "skipped");
  auto& http = app.http();
  auto paid = hire(app, org, "paid");
  auto euro = hire(app, org, "euro", "2026-01-05", false, true, k_annual_salary, "EUR");
  auto pending = hire(app, org, "pending", "2026-01-05", false, false);
  auto later = hire(app, org, "later", "2026-03-10");
  auto leaver = hire(app, org, "leaver");
  expect(http.post("/api/v1/employees/" + leaver.id + "/terminate",
                   json::object{{"terminationDate", "2026-01-20"}}, org.hr.access_token),
         200);
  auto schedule = monthly_schedule(app, org);

  auto run = draft_regular(app, org, schedule);
  CHECK(run.at("employeeCount").as_int64() == 1);
  const std::map<std::string, std::string> expected{{euro.id, "currency_mismatch"},
                                                    {pending.id, "kyc_not_approved"},
                                                    {later.id, "not_started"},
                                                    {leaver.id, "terminated"}};
  CHECK(skipped_of(run) == expected);
  auto items = items_of(app, org.hr.access_token, text_at(run, "id"));
  REQUIRE(items.size() == 1);
  CHECK(text_at(items[0], "employeeId") == paid.id);

  // Without the KYC policy, the pending employee is paid too.
  auto settings = expect(http.get("/api/v1/organization/settings", org.admin.access_token), 200);
  settings["kycRequiredForPayroll"] = false;
  expect(http.put("/api/v1/organization/settings", settings, org.admin.access_token), 200);
  auto recalculated = expect(act(app, org.hr.access_token, text_at(run, "id"), "recalculate"), 200);
  CHECK(recalculated.at("employeeCount").as_int64() == 2);
  CHECK(skipped_of(recalculated).count(pending.id) == 0);
  CHECK(audited(app.sql(), "payroll.run.recalculated", text_at(run, "id")) == 1);
}

TEST_CASE(
    "payroll rules: a run's items follow its roster by last name, then first name, bytewise") {
  TestApp app("payroll-roster-order", unthrottled());
  auto org = organisation(app, "roster-order");
  // Hired in an order that is neither the names' nor the ids'. The names compare as bytes,
  // whatever the database's locale: "de Vries" after "Young" (a linguistic collation would put
  // it among the D's), "Émile" after "Zed".
  const std::vector<std::pair<std::string, std::string>> hired{
      {"Amy", "Young"},    {"Zed", "Adams"}, {"Cal", "Moss"},
      {"Eve", "de Vries"}, {"Bea", "Adams"}, {"\u00c9mile", "Adams"}};
  std::map<std::string, std::string> id_of;  // "Last, First" -> employee id
  for (const auto& [first, last] : hired) {
    auto body = employee_body(first, "2026-01-05");
    body["lastName"] = last;
    body["email"] = fmt::format("roster{}@payroll.example.com", id_of.size());  // ASCII
    id_of[last + ", " + first] = hire_as(app, org, body).id;
  }
  const std::vector<std::string> expected{id_of["Adams, Bea"],        id_of["Adams, Zed"],
                                          id_of["Adams, \u00c9mile"], id_of["Moss, Cal"],
                                          id_of["Young, Amy"],        id_of["de Vries, Eve"]};
  auto employee_ids = [&](const std::string& run_id) {
    std::vector<std::string> ids;
    for (const auto& item : items_of(app, org.hr.access_token, run_id, 3))
      ids.push_back(text_at(item, "employeeId"));
    return ids;
  };

  // The names under a linguistic collation (ICU's root locale), as a database created with
  // another locale would have them: the roster's order must not follow it.
  app.sql().exec(R"(ALTER TABLE employee.employees
                      ALTER COLUMN last_name TYPE text COLLATE "und-x-icu",
                      ALTER COLUMN first_name TYPE text COLLATE "und-x-icu")");

  auto run = draft_regular(app, org, monthly_schedule(app, org));
  const auto run_id = text_at(run, "id");
  CHECK(employee_ids(run_id) == expected);
  expect(act(app, org.hr.access_token, run_id, "recalculate"), 200);
  CHECK(employee_ids(run_id) == expected);
}

TEST_CASE("payroll rules: one REGULAR run per schedule and period") {
  TestApp app("payroll-duplicate", unthrottled());
  auto org = organisation(app, "duplicate");
  hire(app, org, "only");
  auto schedule = monthly_schedule(app, org);
  auto first = draft_regular(app, org, schedule);
  auto before = ledger_state(app.sql());

  problem_fields(create_run(app, org.finance.access_token, regular_body(schedule)), 409,
                 "conflict");
  CHECK(ledger_state(app.sql()) == before);

  // A period that is not one of the schedule's is a 400 naming periodStart.
  CHECK(problem_fields(create_run(app, org.hr.access_token, regular_body(schedule, "2026-02-02")),
                       400, "validation_failed") == std::set<std::string>{"periodStart"});
  // Another period of the schedule is fine; a cancelled run frees its period.
  draft_regular(app, org, schedule, "2026-03-01", "2026-03-31");
  expect(act(app, org.hr.access_token, text_at(first, "id"), "cancel"), 200);
  draft_regular(app, org, schedule);
}

TEST_CASE("payroll rules: the creator may not approve while requireDistinctApprover holds") {
  TestApp app("payroll-four-eyes", unthrottled());
  auto org = organisation(app, "foureyes");
  auto& http = app.http();
  hire(app, org, "paid");
  auto schedule = monthly_schedule(app, org);
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, 10000000), 201);
  auto run = expect(create_run(app, org.finance.access_token, regular_body(schedule)), 201);
  const auto run_id = text_at(run, "id");

  problem_fields(act(app, org.finance.access_token, run_id, "approve"), 403, "forbidden");
  CHECK(text_at(get_run(app, org.finance.access_token, run_id), "status") == "DRAFT");
  // HR drafts but does not approve.
  problem_fields(act(app, org.hr.access_token, run_id, "approve"), 403, "forbidden");

  auto settings = expect(http.get("/api/v1/organization/settings", org.admin.access_token), 200);
  settings["requireDistinctApprover"] = false;
  expect(http.put("/api/v1/organization/settings", settings, org.admin.access_token), 200);
  auto approved = expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  CHECK(text_at(approved, "approvedBy") == org.finance.user_id);
}

TEST_CASE("payroll rules: negative nets and nets above maxNetPerEmployee block approval") {
  TestApp app("payroll-blocked", unthrottled());
  auto org = organisation(app, "blocked");
  auto& http = app.http();
  auto indebted = hire(app, org, "indebted");
  auto rich = hire(app, org, "rich", "2026-01-05", false, true, 24000000);  // 20,000.00 a month
  put_components(app, org, indebted.id,
                 json::array{fixed_component("DEDUCTION", "Loan repayment", 600000)});
  auto schedule = monthly_schedule(app, org);
  auto settings = expect(http.get("/api/v1/organization/settings", org.admin.access_token), 200);
  settings["maxNetPerEmployee"] = 1000000;
  expect(http.put("/api/v1/organization/settings", settings, org.admin.access_token), 200);
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, 100000000), 201);
  auto run_id = text_at(draft_regular(app, org, schedule), "id");
  auto items = items_of(app, org.hr.access_token, run_id);
  CHECK(item_of(items, indebted.id).at("net").as_int64() == k_monthly_pay - 600000);
  auto before = ledger_state(app.sql());

  auto refused = act(app, org.finance.access_token, run_id, "approve");
  problem_fields(refused, 409, "invalid_state");
  std::map<std::string, std::string> blocked;
  auto problem = refused.json();  // a range-for would not keep a temporary document alive
  for (const auto& entry : problem.at("employees").as_array())
    blocked[text_at(entry, "employeeId")] = text_at(entry, "reason");
  const std::map<std::string, std::string> expected{{indebted.id, "negative_net"},
                                                    {rich.id, "above_max_net"}};
  CHECK(blocked == expected);
  CHECK(ledger_state(app.sql()) == before);

  // Fixed and recalculated, it is approved.
  put_components(app, org, indebted.id, json::array{});
  settings["maxNetPerEmployee"] = nullptr;
  expect(http.put("/api/v1/organization/settings", settings, org.admin.access_token), 200);
  expect(act(app, org.hr.access_token, run_id, "recalculate"), 200);
  expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  // An approved run is not recalculated.
  problem_fields(act(app, org.hr.access_token, run_id, "recalculate"), 409, "invalid_state");
}

TEST_CASE("payroll rules: off-cycle runs pay named employees or explicit amounts") {
  TestApp app("payroll-off-cycle", unthrottled());
  auto org = organisation(app, "offcycle");
  auto& http = app.http();
  auto ann = hire(app, org, "ann");
  auto bob = hire(app, org, "bob");
  auto pending = hire(app, org, "pending", "2026-01-05", false, false);
  put_components(app, org, bob.id,
                 json::array{fixed_component("DEDUCTION", "Pension", 10000, true),
                             fixed_component("EARNING", "Housing", 50000)});

  // Explicit amounts: the amount is the gross; deductions apply, earnings do not.
  json::object bonus{
      {"type", "OFF_CYCLE"},
      {"periodStart", "2026-02-01"},
      {"periodEnd", "2026-02-28"},
      {"payDate", "2026-02-20"},
      {"currency", "USD"},
      {"items",
       json::array{
           {{"employeeId", ann.id}, {"amount", 100000}, {"description", "Spot bonus"}},
           {{"employeeId", bob.id}, {"amount", 200000}, {"description", "Spot bonus"}},
           {{"employeeId", pending.id}, {"amount", 300000}, {"description", "Spot bonus"}}}}};
  auto run = expect(create_run(app, org.hr.access_token, bonus), 201);
  CHECK(text_at(run, "type") == "OFF_CYCLE");
  CHECK(run.at("scheduleId").is_null());
  CHECK(run.at("employeeCount").as_int64() == 2);
  CHECK(skipped_of(run) == std::map<std::string, std::string>{{pending.id, "kyc_not_approved"}});
  auto items = items_of(app, org.hr.access_token, text_at(run, "id"));
  CHECK(item_of(items, ann.id).at("gross").as_int64() == 100000);
  CHECK(item_of(items, ann.id).at("basePay").as_int64() == 0);
  auto bob_item = item_of(items, bob.id);
  CHECK(bob_item.at("gross").as_int64() == 200000);
  CHECK(bob_item.at("earnings").as_int64() == 200000);  // the amount, as the one earning line
  CHECK(bob_item.at("preTaxDeductions").as_int64() == 10000);
  CHECK(bob_item.at("net").as_int64() == 190000);
  CHECK(run.at("totals").at("gross").as_int64() == 300000);

  // Named employees are calculated like a regular run, with their own pay frequency.
  json::object named{{"type", "OFF_CYCLE"},       {"periodStart", "2026-02-01"},
                     {"periodEnd", "2026-02-28"}, {"payDate", "2026-02-28"},
                     {"currency", "USD"},         {"employeeIds", json::array{ann.id}}};
  auto named_run = expect(create_run(app, org.hr.access_token, named), 201);
  CHECK(named_run.at("totals").at("gross").as_int64() == k_monthly_pay);

  // An unknown (or another organisation's) employee is not found, naming the field.
  named["employeeIds"] = json::array{ann.id, "00000000-0000-4000-8000-000000000000"};
  CHECK(problem_fields(create_run(app, org.hr.access_token, named), 404, "not_found") ==
        std::set<std::string>{"employeeIds[1]"});
  (void)http;
}

TEST_CASE("payroll rules: bad run requests are 400s naming the field, and write nothing") {
  TestApp app("payroll-bad-runs", unthrottled());
  auto org = organisation(app, "badruns");
  auto& http = app.http();
  auto ann = hire(app, org, "ann");
  auto schedule = monthly_schedule(app, org);
  const auto& token = org.hr.access_token;
  auto before = ledger_state(app.sql());
  auto fields = [&](const json::object& body) {
    return problem_fields(create_run(app, token, body), 400, "validation_failed");
  };
  using Fields = std::set<std::string>;

  CHECK(fields({{"type", "REGULAR"}, {"payDate", "2026-02-27"}}) == Fields{"scheduleId"});
  auto with_ids = regular_body(schedule);
  with_ids["employeeIds"] = json::array{ann.id};
  CHECK(fields(with_ids) == Fields{"employeeIds"});
  auto wrong_currency = regular_body(schedule);
  wrong_currency["currency"] = "EUR";
  CHECK(fields(wrong_currency) == Fields{"currency"});
  auto wrong_end = regular_body(schedule);
  wrong_end["periodEnd"] = "2026-02-27";
  CHECK(fields(wrong_end) == Fields{"periodEnd"});
  auto early_pay = regular_body(schedule, "2026-02-01", "2026-01-31");
  CHECK(fields(early_pay) == Fields{"payDate"});
  CHECK(fields({{"type", "OFF_CYCLE"}, {"employeeIds", json::array{ann.id}}}) ==
        Fields{"periodStart", "periodEnd", "payDate", "currency"});
  CHECK(fields({{"type", "OFF_CYCLE"}}) == Fields{"employeeIds"});
  CHECK(fields({{"type", "OFF_CYCLE"},
                {"employeeIds", json::array{ann.id, ann.id}},
                {"items", json::array{}}}) == Fields{"employeeIds[1]", "items"});
  CHECK(fields({{"type", "OFF_CYCLE"},
                {"items", json::array{{{"employeeId", ann.id}, {"amount", 0}}, json::value(7)}}}) ==
        Fields{"items[0].amount", "items[0].description", "items[1]"});
  CHECK(fields({{"type", "OFF_CYCLE"},
                {"periodStart", "2026-03-01"},
                {"periodEnd", "2026-02-01"},
                {"payDate", "2026-03-01"},
                {"currency", "USD"},
                {"employeeIds", json::array{ann.id}}}) == Fields{"periodEnd"});
  CHECK(fields({{"type", "OFF_CYCLE"},
                {"periodStart", "2026-03-01"},
                {"periodEnd", "2026-03-31"},
                {"payDate", "2026-03-31"},
                {"currency", "XYZ"},
                {"employeeIds", json::array{ann.id}}}) == Fields{"currency"});

  // The 💰 routes need their key; a draft neither executes nor reverses.
  auto run_id = text_at(draft_regular(app, org, schedule), "id");
  before = ledger_state(app.sql());
  CHECK(problem_fields(
            http.post(run_path(run_id, "/execute"), json::object{}, org.finance.access_token), 400,
            "validation_failed") == Fields{"Idempotency-Key"});
  problem_fields(execute(http, org.finance.access_token, run_id), 409, "invalid_state");
  problem_fields(reverse(http, org.finance.access_token, run_id), 409, "invalid_state");
  CHECK(problem_fields(ledger::post_money(http, run_path(run_id, "/reverse"),
                                          json::object{{"reason", 5}}, org.finance.access_token),
                       400, "validation_failed") == Fields{"reason"});
  auto after = ledger_state(app.sql());
  after.erase("core.idempotency_keys");  // the 409s are their keys' stored answers
  before.erase("core.idempotency_keys");
  CHECK(after == before);
  // An EMPLOYEE reaches none of the staff routes.
  auto employee = hire(app, org, "portal", "2026-01-05", true);
  problem_fields(http.get(k_runs, employee.token), 403, "forbidden");
  problem_fields(http.get(run_path(run_id), employee.token), 403, "forbidden");
}

TEST_CASE("payroll rules: the preview calculates like a run and stores nothing") {
  TestApp app("payroll-preview", unthrottled());
  auto org = organisation(app, "preview");
  auto ann = hire(app, org, "ann");
  auto schedule = monthly_schedule(app, org);
  auto before = ledger_state(app.sql());
  auto preview = expect(
      app.http().post("/api/v1/payroll/preview", regular_body(schedule), org.hr.access_token), 200);
  CHECK(ledger_state(app.sql()) == before);
  REQUIRE(preview.at("items").as_array().size() == 1);
  CHECK(text_at(preview.at("items").as_array()[0], "employeeId") == ann.id);
  auto run = draft_regular(app, org, schedule);
  CHECK(preview.at("totals") == run.at("totals"));
  CHECK(preview.at("periodEnd") == run.at("periodEnd"));
}

TEST_CASE("payroll rules: schedules are created, listed, paused, resumed and changed until used") {
  TestApp app("payroll-schedules", unthrottled());
  auto org = organisation(app, "schedules");
  auto& http = app.http();
  hire(app, org, "ann");
  const auto& token = org.hr.access_token;
  auto schedule_id = monthly_schedule(app, org);
  auto path = std::string(k_schedules) + "/" + schedule_id;

  auto listed = expect(http.get(k_schedules, org.finance.access_token), 200);
  REQUIRE(listed.at("data").as_array().size() == 1);
  auto schedule = listed.at("data").as_array()[0].as_object();
  CHECK(text_at(schedule, "status") == "ACTIVE");
  CHECK(text_at(schedule, "nextPeriodStart") == "2026-02-01");
  problem_fields(http.post(k_schedules,
                           json::object{{"name", "MONTHLY"},
                                        {"frequency", "WEEKLY"},
                                        {"firstPeriodStart", "2026-02-02"}},
                           token),
                 409, "conflict");

  auto paused = expect(http.patch(path, json::object{{"status", "PAUSED"}}, token), 200);
  CHECK(text_at(paused, "status") == "PAUSED");
  CHECK(text_at(expect(http.patch(path, json::object{{"status", "ACTIVE"}}, token), 200),
                "status") == "ACTIVE");
  auto weekly = expect(
      http.patch(path, json::object{{"frequency", "WEEKLY"}, {"firstPeriodStart", "2026-02-02"}},
                 token),
      200);
  CHECK(text_at(weekly, "nextPeriodStart") == "2026-02-02");
  CHECK(audited(app.sql(), "payroll.schedule_updated", schedule_id) == 3);

  // A weekly run: the period is 7 days.
  auto run = draft_regular(app, org, schedule_id, "2026-02-09", "2026-02-16");
  CHECK(text_at(run, "periodEnd") == "2026-02-15");
  problem_fields(http.patch(path, json::object{{"frequency", "MONTHLY"}}, token), 409,
                 "invalid_state");
  CHECK(problem_fields(http.patch(path, json::object{{"name", nullptr}}, token), 400,
                       "validation_failed") == std::set<std::string>{"name"});
  problem_fields(http.patch(std::string(k_schedules) + "/00000000-0000-4000-8000-000000000000",
                            json::object{{"status", "PAUSED"}}, token),
                 404, "not_found");
}

TEST_CASE(
    "payroll rules: tax is withheld by the organisation's table in effect on the period end") {
  TestApp app("payroll-tax", unthrottled());
  auto org = organisation(app, "tax");
  auto& http = app.http();
  auto ann = hire(app, org, "ann");
  auto schedule = monthly_schedule(app, org);
  // 10% to 10,000.00, 20% to 40,000.00, 30% above, after a 12,000.00 standard deduction; a
  // later table is not in effect yet.
  auto table = [](const std::string& effective_from, std::int64_t top_rate) {
    return json::object{
        {"name", "Federal " + effective_from},
        {"currency", "USD"},
        {"effectiveFrom", effective_from},
        {"brackets", json::array{json::object{{"upTo", 1000000}, {"rateBasisPoints", 1000}},
                                 json::object{{"upTo", 4000000}, {"rateBasisPoints", 2000}},
                                 json::object{{"rateBasisPoints", top_rate}}}},
        {"standardDeduction", 1200000}};
  };
  expect(http.post("/api/v1/compliance/tax-tables", table("2026-01-01", 3000),
                   org.finance.access_token),
         201);
  expect(http.post("/api/v1/compliance/tax-tables", table("2026-03-01", 9000),
                   org.finance.access_token),
         201);

  auto run = draft_regular(app, org, schedule);
  // Annual taxable 5,000.00 x 12 - 12,000.00 = 48,000.00: 1,000.00 + 6,000.00 + 2,400.00 =
  // 9,400.00 a year, 783.33 a month (783.333... rounded half-up).
  auto item = item_of(items_of(app, org.hr.access_token, text_at(run, "id")), ann.id);
  CHECK(item.at("taxable").as_int64() == k_monthly_pay);
  CHECK(item.at("tax").as_int64() == 78333);
  CHECK(item.at("net").as_int64() == k_monthly_pay - 78333);
  CHECK(run.at("totals").at("tax").as_int64() == 78333);
  bool tax_line = false;
  for (const auto& line : item.at("lines").as_array())
    if (text_at(line, "kind") == "TAX") tax_line = line.at("amount").as_int64() == 78333;
  CHECK(tax_line);
}

TEST_CASE("payroll rules: runs are listed newest first, filtered and paged") {
  TestApp app("payroll-list", unthrottled());
  auto org = organisation(app, "list");
  auto& http = app.http();
  hire(app, org, "ann");
  auto schedule = monthly_schedule(app, org);
  std::vector<std::string> ids;
  for (const auto* start : {"2026-02-01", "2026-03-01", "2026-04-01"})
    ids.push_back(text_at(draft_regular(app, org, schedule, start, start), "id"));
  expect(act(app, org.hr.access_token, ids[1], "cancel"), 200);

  std::vector<std::string> listed;
  std::string cursor;
  for (;;) {
    auto page = expect(
        http.get(std::string(k_runs) + "?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor),
                 org.finance.access_token),
        200);
    for (const auto& run : page.at("data").as_array()) listed.push_back(text_at(run, "id"));
    if (page.at("nextCursor").is_null()) break;
    cursor = text_at(page, "nextCursor");
  }
  CHECK(listed == std::vector<std::string>{ids[2], ids[1], ids[0]});
  auto drafts =
      expect(http.get(std::string(k_runs) + "?status=DRAFT&type=REGULAR&scheduleId=" + schedule,
                      org.finance.access_token),
             200);
  CHECK(drafts.at("data").as_array().size() == 2);
  CHECK(expect(http.get(std::string(k_runs) + "?type=OFF_CYCLE", org.finance.access_token), 200)
            .at("data")
            .as_array()
            .empty());
  CHECK(problem_fields(
            http.get(std::string(k_runs) + "?status=DONE&scheduleId=x", org.finance.access_token),
            400, "validation_failed") == std::set<std::string>{"status", "scheduleId"});
}
