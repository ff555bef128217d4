// Compensation components: PUT replaces the whole list (a JSON array), GET gives it back in
// order; each invalid element is named ("[2].amount") and nothing is written.
#include <set>

#include "employee_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::problem_fields;
using payrollx::test::TestApp;

json::object component(std::string_view kind, std::string_view name, std::string_view calc,
                       std::int64_t value, bool pre_tax = false) {
  json::object c{{"kind", kind},
                 {"name", name},
                 {"calc", calc},
                 {"preTax", pre_tax},
                 {"effectiveFrom", "2026-01-01"}};
  c[calc == "FIXED" ? "amount" : "rateBasisPoints"] = value;
  return c;
}

}  // namespace

TEST_CASE("employee: components are replaced as a whole list and read back in order", "[e2e]") {
  TestApp app("employee_components", unthrottled());
  auto admin = app.signup("emp-comp");
  auto hr = app.add_user(admin, "emp-comp-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "emp-comp-fin", "FINANCE_MANAGER");
  auto& http = app.http();
  auto employee = create_employee(http, hr.access_token, new_employee("Components"));
  const auto id = text_at(employee, "id");
  const auto path = employee_path(id, "/components");

  auto empty = http.get(path, hr.access_token);
  REQUIRE(empty.status == 200);
  CHECK(empty.json().as_array().empty());

  auto pension = component("DEDUCTION", "Pension", "PERCENT", 500, true);
  pension["effectiveTo"] = "2026-12-31";
  json::array list{component("EARNING", "Housing", "FIXED", 25000),
                   component("DEDUCTION", "Union dues", "FIXED", 1500), pension,
                   component("EARNING", "Commission", "PERCENT", 10000)};
  auto put = http.put(path, list, hr.access_token);
  INFO(put.body);
  REQUIRE(put.status == 200);
  auto saved = put.json().as_array();
  REQUIRE(saved.size() == 4);
  CHECK(saved[0].at("name").as_string() == "Housing");
  CHECK(saved[0].at("amount").as_int64() == 25000);
  CHECK(saved[0].at("currency").as_string() == "USD");
  CHECK(saved[0].at("rateBasisPoints").is_null());
  CHECK(saved[0].at("effectiveTo").is_null());
  CHECK(saved[2].at("rateBasisPoints").as_int64() == 500);
  CHECK(saved[2].at("amount").is_null());
  CHECK(saved[2].at("preTax").as_bool());
  CHECK(saved[2].at("effectiveTo").as_string() == "2026-12-31");
  CHECK(saved[3].at("rateBasisPoints").as_int64() == 10000);
  auto got = http.get(path, hr.access_token);
  REQUIRE(got.status == 200);
  CHECK(got.json().as_array() == saved);
  CHECK(audited(app.sql(), "employee.components_replaced", id) == 1);

  // What GET answers can be sent back as it is.
  auto round_trip = http.put(path, got.json(), hr.access_token);
  REQUIRE(round_trip.status == 200);
  CHECK(round_trip.json().as_array() == saved);

  // Every bad element is named; nothing changes.
  auto before = written(app.sql());
  auto fields = [&](const json::value& body) {
    return problem_fields(http.put(path, body, hr.access_token), 400, "validation_failed");
  };
  auto fixed_without_amount = component("EARNING", "Bonus", "FIXED", 1);
  fixed_without_amount.erase("amount");
  fixed_without_amount["rateBasisPoints"] = 100;
  auto percent_with_amount = component("DEDUCTION", "Tax", "PERCENT", 10001);
  percent_with_amount["amount"] = 5;
  auto backwards = component("DEDUCTION", "Loan", "FIXED", 100);
  backwards["effectiveFrom"] = "2026-05-01";
  backwards["effectiveTo"] = "2026-04-30";
  auto other_currency = component("EARNING", "Meal", "FIXED", 100);
  other_currency["currency"] = "EUR";
  json::array bad{component("EARNING", "Fine", "FIXED", 100),
                  fixed_without_amount,
                  component("EARNING", "Pre-tax earning", "FIXED", 100, true),
                  percent_with_amount,
                  backwards,
                  json::object{{"kind", "GIFT"},
                               {"name", ""},
                               {"calc", "FIXED"},
                               {"amount", 0},
                               {"preTax", "no"},
                               {"effectiveFrom", "2026-13-01"},
                               {"x", 1}},
                  42};
  CHECK(fields(bad) == std::set<std::string>{"[1].amount", "[1].rateBasisPoints", "[2].preTax",
                                             "[3].rateBasisPoints", "[3].amount", "[4].effectiveTo",
                                             "[5].kind", "[5].name", "[5].amount", "[5].preTax",
                                             "[5].effectiveFrom", "[5].x", "[6]"});
  CHECK(fields(json::array{other_currency}) == std::set<std::string>{"[0].currency"});
  CHECK(fields(json::object{{"components", list}}) == std::set<std::string>{"body"});
  require_problem(http.request("PUT", path, "[1,", {}, hr.access_token), 400, "validation_failed");
  require_problem(
      http.request("PUT", path, "[]", {{"Content-Type", "text/plain"}}, hr.access_token), 415,
      "unsupported_media_type");
  json::array too_many;
  for (int i = 0; i < 101; ++i) too_many.push_back(component("EARNING", "x", "FIXED", 1));
  CHECK(fields(too_many) == std::set<std::string>{"body"});
  CHECK(written(app.sql()) == before);
  CHECK(http.get(path, hr.access_token).json().as_array() == saved);

  require_problem(http.get(path, finance.access_token), 403, "forbidden");
  require_problem(http.put(employee_path("00000000-0000-4000-8000-000000000000", "/components"),
                           list, hr.access_token),
                  404, "not_found");

  // An empty list removes them all.
  auto cleared = http.put(path, json::array{}, hr.access_token);
  REQUIRE(cleared.status == 200);
  CHECK(cleared.json().as_array().empty());
  CHECK(app.sql().count("SELECT count(*) FROM employee.components WHERE employee_id = $1", {id}) ==
        0);
  require_chain_ok(http, admin.access_token);
}
