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

#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::upper;

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

std::string with_id(std::string pattern, const std::string& id) {
  auto open = pattern.find('{');
  return pattern.replace(open, pattern.find('}') - open + 1, id);
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

  // How B calls each id-bearing route with one of A's ids; each must be 404 not_found.
  struct Case {
    std::string id;
    std::string body;
  };
  const std::map<std::string, std::vector<Case>> cases{
      {"PATCH /api/v1/users/{id}",
       {{a_member.user_id, R"({"role":"EMPLOYEE"})"}, {a_admin.user_id, R"({"isActive":false})"}}},
      {"POST /api/v1/notifications/{id}/read", {{a_notification_id, ""}}},
  };

  auto openapi = http.get("/api/v1/openapi.json").json().as_object();
  int checked = 0;
  for (const auto& [path, item] : openapi.at("paths").as_object()) {
    if (std::string(path).find('{') == std::string::npos) continue;
    for (const auto& [method, operation] : item.as_object()) {
      (void)operation;
      const std::string key = upper(std::string(method)) + " " + std::string(path);
      auto found = cases.find(key);
      INFO(key);
      REQUIRE(found != cases.end());  // every id-bearing route needs an isolation case
      for (const auto& c : found->second) {
        auto response = http.request(upper(std::string(method)), with_id(std::string(path), c.id),
                                     c.body, {}, b_admin.access_token);
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

  // Lists show B only its own rows.
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
