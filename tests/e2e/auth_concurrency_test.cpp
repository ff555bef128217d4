// Races the auth module must decide in the database: parallel signups with one email, parallel
// refreshes of one token, parallel wrong passwords against the lockout, parallel accepts of one
// invitation, and two admins demoting each other at once.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "auth_helpers.hpp"
#include "parallel.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::statuses;
using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

std::vector<HttpResponse> in_parallel(
    TestApp& app, int n, const std::function<HttpResponse(HttpClient&, int)>& request) {
  return payrollx::test::in_parallel(app.server().port(), n, request);
}

}  // namespace

TEST_CASE("auth: 20 parallel signups with one email make exactly one account", "[e2e]") {
  TestApp app("auth_parallel_signup", unthrottled());
  const auto before = written(app.sql());
  auto responses = in_parallel(app, 20, [](HttpClient& http, int i) {
    return http.post("/api/v1/auth/signup",
                     json::object{{"email", "race@example.com"},
                                  {"password", "a long enough password"},
                                  {"firstName", "Race"},
                                  {"lastName", "Condition"},
                                  {"organizationName", "Race Org " + std::to_string(i)}});
  });
  const auto counts = statuses(responses);
  INFO("statuses: " << counts.size() << " kinds; first body " << responses[0].body);
  CHECK(counts.at(201) == 1);
  CHECK(counts.at(409) == 19);
  for (const auto& response : responses)
    if (response.status == 409) CHECK(response.json().at("code").as_string() == "conflict");

  // The losers' organisations rolled back with them.
  const auto after = written(app.sql());
  CHECK(after.users == before.users + 1);
  CHECK(after.organizations == before.organizations + 1);
  CHECK(app.sql().count("SELECT count(*) FROM auth.users WHERE email = 'race@example.com'") == 1);
  CHECK(app.sql().count("SELECT count(*) FROM organization.organization_settings") ==
        after.organizations);
}

TEST_CASE("auth: parallel refreshes of one token give one new pair and revoke the family",
          "[e2e]") {
  TestApp app("auth_parallel_refresh", unthrottled());
  auto user = app.signup("parallel-refresh");
  auto responses = in_parallel(
      app, 10, [&](HttpClient& http, int) { return refresh(http, user.refresh_token); });
  const auto counts = statuses(responses);
  CHECK(counts.at(200) == 1);
  CHECK(counts.at(401) == 9);

  for (const auto& response : responses) {
    if (response.status != 200) continue;
    // The winner's pair belongs to the family the others' reuse revoked.
    require_problem(refresh(app.http(), text_at(response.json(), "refreshToken")), 401,
                    "unauthorized");
  }
  CHECK(app.sql().count("SELECT count(*) FROM auth.refresh_tokens WHERE user_id = $1 AND "
                        "revoked_at IS NULL",
                        {user.user_id}) == 0);
  CHECK(security_events(app.sql(), user.user_id, "refresh.reused") >= 1);
}

TEST_CASE("auth: parallel wrong passwords lock the account exactly once", "[e2e]") {
  TestApp app("auth_parallel_lockout", unthrottled());
  auto user = app.signup("parallel-lockout");
  auto responses = in_parallel(
      app, 12, [&](HttpClient& http, int) { return login(http, user.email, "wrong password!"); });
  CHECK(statuses(responses).at(401) == 12);
  CHECK(security_events(app.sql(), user.user_id, "login.failed") == 12);
  CHECK(security_events(app.sql(), user.user_id, "login.locked") == 1);
  require_problem(login(app.http(), user.email, user.password), 401, "unauthorized");
}

TEST_CASE("auth: parallel accepts of one invitation: one wins", "[e2e]") {
  TestApp app("auth_parallel_accept", unthrottled());
  auto admin = app.signup("parallel-accept");
  auto invited = app.http().post("/api/v1/users",
                                 json::object{{"email", "once@example.com"},
                                              {"firstName", "Once"},
                                              {"lastName", "Only"},
                                              {"role", "EMPLOYEE"}},
                                 admin.access_token);
  REQUIRE(invited.status == 201);
  const auto token = text_at(invited.json().at("invitation"), "token");
  auto responses = in_parallel(app, 6, [&](HttpClient& http, int i) {
    return http.post(
        "/api/v1/auth/invitations/accept",
        json::object{{"token", token}, {"password", "password number " + std::to_string(i)}});
  });
  const auto counts = statuses(responses);
  REQUIRE(counts.at(200) == 1);
  CHECK(counts.at(401) == 5);
  // The password that works is the winner's (checked first: losers' passwords are wrong ones
  // and count towards the lockout).
  std::size_t winner = 0;
  while (responses[winner].status != 200) ++winner;
  CHECK(login(app.http(), "once@example.com", "password number " + std::to_string(winner)).status ==
        200);
  CHECK(login(app.http(), "once@example.com",
              "password number " + std::to_string((winner + 1) % responses.size()))
            .status == 401);
}

TEST_CASE("auth: two admins demoting each other at once leave one admin", "[e2e]") {
  TestApp app("auth_parallel_demote", unthrottled());
  auto first = app.signup("first-admin");
  auto second = app.add_user(first, "second-admin", "ORG_ADMIN");
  const std::vector<std::pair<std::string, std::string>> moves{
      {first.access_token, second.user_id}, {second.access_token, first.user_id}};
  auto responses = in_parallel(app, 2, [&](HttpClient& http, int i) {
    const auto& [token, target] = moves[static_cast<std::size_t>(i)];
    return http.patch("/api/v1/users/" + target, json::object{{"role", "EMPLOYEE"}}, token);
  });
  INFO(responses[0].body << " / " << responses[1].body);
  // Both changes are allowed one at a time; together, the second must see the first.
  CHECK(statuses(responses).at(200) == 1);
  CHECK(statuses(responses).at(409) == 1);
  CHECK(app.sql().count("SELECT count(*) FROM auth.users WHERE organization_id = $1 AND "
                        "role = 'ORG_ADMIN' AND is_active",
                        {first.organization_id}) == 1);
}
