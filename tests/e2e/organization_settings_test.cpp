// GET and PUT /api/v1/organization/settings against the real server: the defaults of a new
// organisation, replacement, the reference checks (currency, time zone) and who may read or write.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::problem_fields;

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/organization/settings";

json::object settings_of(TestApp& app, const std::string& token) {
  auto response = app.http().get(k_path, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json().as_object();
}

const json::object k_changed{{"baseCurrency", "EUR"},
                             {"requireDistinctApprover", false},
                             {"kycRequiredForPayroll", false},
                             {"maxNetPerEmployee", 1500000},
                             {"timezone", "Europe/Paris"}};

}  // namespace

TEST_CASE("organization: settings start at their defaults and PUT replaces them", "[e2e]") {
  TestApp app("organization_settings");
  auto admin = app.signup("org-settings");

  const json::object defaults{{"baseCurrency", "USD"},
                              {"requireDistinctApprover", true},
                              {"kycRequiredForPayroll", true},
                              {"maxNetPerEmployee", nullptr},
                              {"timezone", "UTC"}};
  CHECK(settings_of(app, admin.access_token) == defaults);

  auto replaced = app.http().put(k_path, k_changed, admin.access_token);
  INFO(replaced.body);
  REQUIRE(replaced.status == 200);
  CHECK(replaced.json().as_object() == k_changed);
  CHECK(settings_of(app, admin.access_token) == k_changed);
  CHECK(app.sql().scalar("SELECT max_net_per_employee::text FROM "
                         "organization.organization_settings WHERE organization_id = $1",
                         {admin.organization_id}) == "1500000");

  // A replacement, not a merge: an absent maxNetPerEmployee means no limit.
  auto without_limit = k_changed;
  without_limit.erase("maxNetPerEmployee");
  without_limit["baseCurrency"] = "USDC";
  auto second = app.http().put(k_path, without_limit, admin.access_token);
  INFO(second.body);
  REQUIRE(second.status == 200);
  auto expected = without_limit;
  expected["maxNetPerEmployee"] = nullptr;
  CHECK(settings_of(app, admin.access_token) == expected);
}

TEST_CASE("organization: PUT settings names each bad value in a 400 and changes nothing", "[e2e]") {
  TestApp app("organization_settings_errors");
  auto admin = app.signup("org-settings-errors");
  auto before = settings_of(app, admin.access_token);

  struct Case {
    std::string what;
    json::object changes;
    std::set<std::string> fields;
  };
  const std::vector<Case> cases{
      {"unknown currency", {{"baseCurrency", "XYZ"}}, {"baseCurrency"}},
      {"lower-case currency", {{"baseCurrency", "eur"}}, {"baseCurrency"}},
      {"unknown time zone", {{"timezone", "Mars/Olympus_Mons"}}, {"timezone"}},
      {"both references unknown",
       {{"baseCurrency", "ZZZ"}, {"timezone", "Nowhere/City"}},
       {"baseCurrency", "timezone"}},
      {"negative limit", {{"maxNetPerEmployee", -1}}, {"maxNetPerEmployee"}},
      {"fractional limit", {{"maxNetPerEmployee", 10.5}}, {"maxNetPerEmployee"}},
      {"flag as a string", {{"requireDistinctApprover", "false"}}, {"requireDistinctApprover"}},
      {"null flag", {{"kycRequiredForPayroll", nullptr}}, {"kycRequiredForPayroll"}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto body = k_changed;
    for (const auto& [key, value] : c.changes) body[key] = value;
    CHECK(problem_fields(app.http().put(k_path, body, admin.access_token), 400,
                         "validation_failed") == c.fields);
  }
  CHECK(settings_of(app, admin.access_token) == before);
}

TEST_CASE("organization: HR and finance read settings but only ORG_ADMIN writes them", "[e2e]") {
  TestApp app("organization_settings_roles");
  auto admin = app.signup("org-settings-roles");
  auto hr = app.add_user(admin, "org-settings-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "org-settings-finance", "FINANCE_MANAGER");
  auto employee = app.add_user(admin, "org-settings-employee", "EMPLOYEE");
  auto before = settings_of(app, admin.access_token);
  auto& http = app.http();

  CHECK(settings_of(app, hr.access_token) == before);
  CHECK(settings_of(app, finance.access_token) == before);
  CHECK(problem_fields(http.get(k_path, employee.access_token), 403, "forbidden").empty());
  for (const auto* member : {&hr, &finance, &employee})
    CHECK(problem_fields(http.put(k_path, k_changed, member->access_token), 403, "forbidden")
              .empty());
  CHECK(problem_fields(http.get(k_path), 401, "unauthorized").empty());
  CHECK(problem_fields(http.put(k_path, k_changed), 401, "unauthorized").empty());

  CHECK(settings_of(app, admin.access_token) == before);
}
