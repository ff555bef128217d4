// GET /api/v1/admin/organizations: the platform operator (SUPER_ADMIN, made with the
// create-super-admin command) lists every organisation a page at a time; tenants may not, and
// the operator, who belongs to no organisation, gets 403 on the tenant routes.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_app.hpp"

namespace {

using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/admin/organizations";

// Every organisation listed, following nextCursor with pages of `limit`.
std::vector<json::object> all_organizations(TestApp& app, const std::string& token, int limit) {
  std::vector<json::object> organizations;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto target = fmt::format("{}?limit={}", k_path, limit);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto response = app.http().get(target, token);
    INFO(target << " -> " << response.body);
    REQUIRE(response.status == 200);
    auto body = response.json().as_object();
    for (const auto& organization : body.at("data").as_array())
      organizations.push_back(organization.as_object());
    if (body.at("nextCursor").is_null()) return organizations;
    cursor = std::string(body.at("nextCursor").as_string());
  }
  FAIL("the cursor never ended");
  return organizations;
}

}  // namespace

TEST_CASE("organization: the super admin lists every organisation, newest first, by pages",
          "[e2e]") {
  TestApp app("organization_admin_list");
  std::vector<payrollx::test::SignedUp> tenants;
  for (const auto* who : {"org-list-a", "org-list-b", "org-list-c"})
    tenants.push_back(app.signup(who));
  const auto token = app.super_admin().access_token;

  std::vector<std::string> expected;  // newest first, as the database orders them
  for (const auto& row : app.sql().rows(
           "SELECT id::text FROM organization.organizations ORDER BY created_at DESC, id DESC"))
    expected.push_back(*row[0]);
  REQUIRE(expected.size() == 3);
  CHECK(expected.front() == tenants.back().organization_id);

  for (int limit : {1, 2, 3, 50}) {
    INFO("limit " << limit);
    std::vector<std::string> ids;
    for (const auto& organization : all_organizations(app, token, limit))
      ids.emplace_back(organization.at("id").as_string());
    CHECK(ids == expected);
  }
  auto one = all_organizations(app, token, 50).front();
  for (const auto* field :
       {"id", "name", "country", "taxId", "authorizedSigners", "status", "createdAt", "updatedAt"})
    CHECK(one.contains(field));

  auto& http = app.http();
  CHECK(http.get(std::string(k_path) + "?limit=0", token).status == 400);
  CHECK(http.get(std::string(k_path) + "?cursor=bogus", token).status == 400);

  // Tenants may not list; the operator has no organisation of its own.
  auto tenant = http.get(k_path, tenants[0].access_token);
  CHECK(tenant.status == 403);
  CHECK(tenant.json().at("code").as_string() == "forbidden");
  CHECK(http.get(k_path).status == 401);
  auto own = http.get("/api/v1/organization", token);
  CHECK(own.status == 403);
  CHECK(own.json().at("code").as_string() == "forbidden");
  CHECK(http.patch("/api/v1/organization", {{"country", "US"}}, token).status == 403);
}
