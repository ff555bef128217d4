// GET /api/v1/audit-logs/verify against the real server: the chain of a scripted session
// verifies, and an entry edited behind the application's back in SQL is the one reported.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "test_app.hpp"

namespace {

using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/audit-logs/verify";

json::object verify(TestApp& app, const std::string& token) {
  auto response = app.http().get(k_path, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json().as_object();
}

std::string entry_id(TestApp& app, const std::string& organization_id, int seq) {
  return *app.sql().scalar(
      "SELECT entry_id::text FROM compliance.audit_seals WHERE organization_id = $1 AND seq = $2",
      {organization_id, std::to_string(seq)});
}

}  // namespace

TEST_CASE("audit: verify is ok after a session and reports the entry edited in SQL", "[e2e]") {
  TestApp app("audit_verify");
  auto admin = app.signup("audit-verify");
  auto other = app.signup("audit-verify-other");
  app.add_user(admin, "audit-verify-hr", "HR_MANAGER");
  app.add_user(admin, "audit-verify-finance", "FINANCE_MANAGER");
  for (const auto* country : {"FR", "DE", "ES"})
    REQUIRE(app.http()
                .patch("/api/v1/organization", {{"country", country}}, admin.access_token)
                .status == 200);
  const auto entries =
      app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1",
                      {admin.organization_id});
  REQUIRE(entries == 8);

  auto intact = verify(app, admin.access_token);
  CHECK(intact.at("ok").as_bool());
  CHECK(intact.at("checked").as_int64() == entries);
  CHECK(!intact.contains("firstBrokenId"));

  // Tamper with the fourth entry's action, as someone with SQL access could.
  const auto tampered = entry_id(app, admin.organization_id, 4);
  const auto original =
      *app.sql().scalar("SELECT action FROM compliance.audit_logs WHERE id = $1", {tampered});
  app.sql().exec("UPDATE compliance.audit_logs SET action = 'x' WHERE id = $1", {tampered});
  auto broken = verify(app, admin.access_token);
  CHECK(!broken.at("ok").as_bool());
  CHECK(broken.at("firstBrokenId").as_string() == tampered);
  CHECK(broken.at("checked").as_int64() == 4);  // stops at the first broken entry

  // Another organisation's chain is its own and still verifies.
  auto others = verify(app, other.access_token);
  CHECK(others.at("ok").as_bool());
  CHECK(others.at("checked").as_int64() == 3);

  // Putting the action back makes the chain whole again: the edit was what broke it.
  app.sql().exec("UPDATE compliance.audit_logs SET action = $2 WHERE id = $1",
                 {tampered, original});
  CHECK(verify(app, admin.access_token).at("ok").as_bool());

  // A later entry's recorded change edited (its JSON text) is found the same way.
  const auto last = entry_id(app, admin.organization_id, 7);
  app.sql().exec("UPDATE compliance.audit_logs SET after = '{\"country\":\"XX\"}' WHERE id = $1",
                 {last});
  auto edited = verify(app, admin.access_token);
  CHECK(!edited.at("ok").as_bool());
  CHECK(edited.at("firstBrokenId").as_string() == last);
}

TEST_CASE("audit: verify is for ORG_ADMIN only, other roles get 403, no token 401", "[e2e]") {
  TestApp app("audit_verify_roles");
  auto admin = app.signup("audit-verify-roles");
  auto finance = app.add_user(admin, "audit-verify-roles-finance", "FINANCE_MANAGER");
  auto hr = app.add_user(admin, "audit-verify-roles-hr", "HR_MANAGER");
  auto& http = app.http();

  CHECK(verify(app, admin.access_token).at("ok").as_bool());
  for (const auto* member : {&finance, &hr}) {
    auto response = http.get(k_path, member->access_token);
    INFO(response.body);
    CHECK(response.status == 403);
    CHECK(response.json().at("code").as_string() == "forbidden");
  }
  auto anonymous = http.get(k_path);
  CHECK(anonymous.status == 401);
  CHECK(anonymous.json().at("code").as_string() == "unauthorized");
}
