// The organisation's users (GET/POST /api/v1/users, PATCH /api/v1/users/{id}) and
// POST /api/v1/auth/invitations/accept. (Malformed bodies and path ids: bad_input_test.cpp;
// another organisation's ids: tenant_isolation_test.cpp.)
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "auth_helpers.hpp"
#include "core/time.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

json::object invitation_body(const std::string& email, const std::string& role) {
  return {{"email", email}, {"firstName", "Grace"}, {"lastName", "Hopper"}, {"role", role}};
}

HttpResponse accept(HttpClient& http, const std::string& token, const std::string& password) {
  return http.post("/api/v1/auth/invitations/accept",
                   json::object{{"token", token}, {"password", password}});
}

std::string user_path(const std::string& id) {
  return "/api/v1/users/" + id;
}

}  // namespace

TEST_CASE("auth: an invitation creates the user, reaches their inbox and is accepted once",
          "[e2e]") {
  TestApp app("auth_invite", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("inviter");

  auto invited = http.post("/api/v1/users", invitation_body("Grace@Example.com", "HR_MANAGER"),
                           admin.access_token);
  INFO(invited.body);
  REQUIRE(invited.status == 201);
  const auto answer = invited.json();
  const auto& user = answer.at("user");
  const auto user_id = text_at(user, "id");
  const auto token = text_at(answer.at("invitation"), "token");
  CHECK(user.at("email").as_string() == "grace@example.com");
  CHECK(user.at("role").as_string() == "HR_MANAGER");
  CHECK(user.at("organizationId").as_string() == admin.organization_id);
  CHECK(token.size() >= 43);  // 256 random bits
  const auto expires_at =
      payrollx::parse_timestamp(text_at(answer.at("invitation"), "expiresAt")).value();
  const auto valid_for = expires_at - payrollx::now();  // 7 days, minus this test's time
  CHECK(valid_for > std::chrono::hours(7 * 24 - 1));
  CHECK(valid_for <= std::chrono::hours(7 * 24));

  // Stored as a digest only; audited in the organisation's chain.
  CHECK(app.sql().count("SELECT count(*) FROM auth.invitations WHERE user_id = $1 AND "
                        "token_hash = sha256(convert_to($2, 'UTF8')) AND accepted_at IS NULL",
                        {user_id, token}) == 1);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1 "
                        "AND action = 'user.invited' AND entity_id = $2 AND actor_id = $3",
                        {admin.organization_id, user_id, admin.user_id}) == 1);
  // Not yet able to sign in.
  require_problem(login(http, "grace@example.com", "any password at all"), 401, "unauthorized");

  // Accepting sets the password and signs in.
  const std::string password = "grace's own password";
  auto accepted = accept(http, token, password);
  INFO(accepted.body);
  REQUIRE(accepted.status == 200);
  const auto session = accepted.json();
  CHECK(session.at("user").at("id").as_string() == user_id);
  CHECK(session.at("expiresIn").as_int64() == 900);
  const auto access_token = text_at(session, "accessToken");
  CHECK(refresh(http, text_at(session, "refreshToken")).status == 200);
  CHECK(login(http, "grace@example.com", password).status == 200);
  CHECK(security_events(app.sql(), user_id, "invitation.accepted") == 1);

  // The invitation is in the invitee's inbox, without its secret token.
  auto inbox = http.get("/api/v1/notifications", access_token);
  REQUIRE(inbox.status == 200);
  int invitations = 0;
  const auto inbox_body = inbox.json();
  for (const auto& item : inbox_body.at("data").as_array()) {
    if (item.at("eventType").as_string() != "user.invited") continue;
    ++invitations;
    CHECK(item.at("data").at("role").as_string() == "HR_MANAGER");
    CHECK(json::serialize(item).find(token) == std::string::npos);
  }
  CHECK(invitations == 1);
  // ... and in nobody else's.
  const auto admin_inbox = http.get("/api/v1/notifications", admin.access_token).json();
  for (const auto& item : admin_inbox.at("data").as_array())
    CHECK(item.at("eventType").as_string() != "user.invited");

  // An invitation is used once.
  const auto before = written(app.sql());
  require_problem(accept(http, token, "another password!"), 401, "unauthorized");
  CHECK(written(app.sql()) == before);
  CHECK(login(http, "grace@example.com", password).status == 200);
}

TEST_CASE("auth: invitation refusals write nothing", "[e2e]") {
  TestApp app("auth_invite_refusals", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("refusing");
  auto pending = http.post("/api/v1/users", invitation_body("pending@example.com", "EMPLOYEE"),
                           admin.access_token);
  REQUIRE(pending.status == 201);
  const auto pending_token = text_at(pending.json().at("invitation"), "token");
  const auto pending_id = text_at(pending.json().at("user"), "id");
  auto expiring = http.post("/api/v1/users", invitation_body("expired@example.com", "EMPLOYEE"),
                            admin.access_token);
  REQUIRE(expiring.status == 201);
  const auto expired_token = text_at(expiring.json().at("invitation"), "token");
  app.sql().exec(
      "UPDATE auth.invitations SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      {text_at(expiring.json().at("user"), "id")});
  const auto notifications = app.sql().count("SELECT count(*) FROM notification.notifications");
  const auto before = written(app.sql());

  // Inviting.
  require_problem(
      http.post("/api/v1/users", invitation_body(admin.email, "EMPLOYEE"), admin.access_token), 409,
      "conflict");
  require_problem(
      http.post("/api/v1/users", invitation_body("PENDING@example.com", "FINANCE_MANAGER"),
                admin.access_token),
      409, "conflict");
  auto super_admin = http.post("/api/v1/users", invitation_body("boss@example.com", "SUPER_ADMIN"),
                               admin.access_token);
  require_problem(super_admin, 400, "validation_failed");
  CHECK(names_field(super_admin, "role"));
  auto bad_email =
      http.post("/api/v1/users", invitation_body("not-an-address", "EMPLOYEE"), admin.access_token);
  require_problem(bad_email, 400, "validation_failed");
  CHECK(names_field(bad_email, "email"));

  // Accepting.
  require_problem(accept(http, expired_token, "a fine password"), 401, "unauthorized");
  require_problem(accept(http, "never-issued-token", "a fine password"), 401, "unauthorized");
  auto weak = accept(http, pending_token, "short");
  require_problem(weak, 400, "validation_failed");
  CHECK(names_field(weak, "password"));
  // Deactivated before accepting: the invitation no longer opens the account.
  REQUIRE(http.patch(user_path(pending_id), json::object{{"isActive", false}}, admin.access_token)
              .status == 200);
  const auto after_deactivation = written(app.sql());
  require_problem(accept(http, pending_token, "a fine password"), 401, "unauthorized");
  CHECK(written(app.sql()) == after_deactivation);
  CHECK(app.sql().count("SELECT count(*) FROM auth.invitations WHERE user_id = $1 AND "
                        "accepted_at IS NULL",
                        {pending_id}) == 1);

  CHECK(written(app.sql()) == before);
  CHECK(app.sql().count("SELECT count(*) FROM notification.notifications") == notifications);
}

TEST_CASE("auth: users list is the organisation's, newest first, paged by cursor", "[e2e]") {
  TestApp app("auth_users_list", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("lister");
  std::vector<std::string> ids{admin.user_id};
  for (int i = 0; i < 4; ++i) {
    auto invited = http.post(
        "/api/v1/users", invitation_body("user" + std::to_string(i) + "@example.com", "EMPLOYEE"),
        admin.access_token);
    REQUIRE(invited.status == 201);
    ids.push_back(text_at(invited.json().at("user"), "id"));
  }
  app.signup("another-organisation");

  auto all = http.get("/api/v1/users", admin.access_token);
  REQUIRE(all.status == 200);
  std::vector<std::string> listed;
  const auto all_body = all.json();
  for (const auto& user : all_body.at("data").as_array()) listed.push_back(text_at(user, "id"));
  CHECK(listed == std::vector<std::string>(ids.rbegin(), ids.rend()));
  CHECK(all.json().at("nextCursor").is_null());

  std::vector<std::string> paged;
  std::string target = "/api/v1/users?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = http.get(target, admin.access_token);
    REQUIRE(page.status == 200);
    const auto body = page.json();
    CHECK(body.at("data").as_array().size() <= 2);
    for (const auto& user : body.at("data").as_array()) paged.push_back(text_at(user, "id"));
    if (body.at("nextCursor").is_null()) break;
    target = "/api/v1/users?limit=2&cursor=" + text_at(body, "nextCursor");
  }
  CHECK(paged == listed);

  auto bad_limit = http.get("/api/v1/users?limit=500", admin.access_token);
  require_problem(bad_limit, 400, "validation_failed");
  CHECK(names_field(bad_limit, "limit"));
}

TEST_CASE("auth: users routes are for ORG_ADMIN only", "[e2e]") {
  TestApp app("auth_users_roles", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("roles");
  const auto before = written(app.sql());
  for (const std::string role : {"HR_MANAGER", "FINANCE_MANAGER", "EMPLOYEE"}) {
    INFO(role);
    auto member = app.add_user(admin, "roles-" + role, role);
    const auto state = written(app.sql());
    require_problem(http.get("/api/v1/users", member.access_token), 403, "forbidden");
    require_problem(http.post("/api/v1/users", invitation_body("x-" + role + "@example.com", role),
                              member.access_token),
                    403, "forbidden");
    require_problem(http.patch(user_path(member.user_id), json::object{{"role", "ORG_ADMIN"}},
                               member.access_token),
                    403, "forbidden");
    CHECK(written(app.sql()) == state);
    CHECK(app.sql().scalar("SELECT role FROM auth.users WHERE id = $1", {member.user_id}) == role);
  }
  CHECK(written(app.sql()).users == before.users + 3);
  require_problem(http.get("/api/v1/users"), 401, "unauthorized");
  require_problem(http.post("/api/v1/users", invitation_body("anon@example.com", "EMPLOYEE")), 401,
                  "unauthorized");
  require_problem(http.patch(user_path(admin.user_id), json::object{{"isActive", false}}), 401,
                  "unauthorized");
}

TEST_CASE("auth: PATCH users changes role and activity and deactivation ends sessions", "[e2e]") {
  TestApp app("auth_users_patch", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("patcher");
  auto member = app.add_user(admin, "patched", "EMPLOYEE");
  auto second_device = login(http, member.email, member.password);
  REQUIRE(second_device.status == 200);
  const auto path = user_path(member.user_id);

  auto promoted = http.patch(path, json::object{{"role", "FINANCE_MANAGER"}}, admin.access_token);
  INFO(promoted.body);
  REQUIRE(promoted.status == 200);
  CHECK(promoted.json().at("role").as_string() == "FINANCE_MANAGER");
  CHECK(promoted.json().at("isActive").as_bool());
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = "
                        "'user.updated' AND entity_id = $1 AND actor_id = $2",
                        {member.user_id, admin.user_id}) == 1);
  // The role is the stored one: a new sign-in carries it.
  auto relogin = login(http, member.email, member.password);
  REQUIRE(relogin.status == 200);
  CHECK(relogin.json().at("user").at("role").as_string() == "FINANCE_MANAGER");

  // An empty change changes nothing and is not audited.
  auto unchanged = http.patch(path, json::object{}, admin.access_token);
  REQUIRE(unchanged.status == 200);
  CHECK(unchanged.json().at("role").as_string() == "FINANCE_MANAGER");
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = "
                        "'user.updated' AND entity_id = $1",
                        {member.user_id}) == 1);

  // Deactivation ends every session of the user.
  auto deactivated = http.patch(path, json::object{{"isActive", false}}, admin.access_token);
  REQUIRE(deactivated.status == 200);
  CHECK_FALSE(deactivated.json().at("isActive").as_bool());
  require_problem(refresh(http, member.refresh_token), 401, "unauthorized");
  require_problem(refresh(http, text_at(second_device.json(), "refreshToken")), 401,
                  "unauthorized");
  require_problem(refresh(http, text_at(relogin.json(), "refreshToken")), 401, "unauthorized");
  CHECK(app.sql().count("SELECT count(*) FROM auth.refresh_tokens WHERE user_id = $1 AND "
                        "revoked_at IS NULL",
                        {member.user_id}) == 0);
  require_problem(login(http, member.email, member.password), 401, "unauthorized");

  auto listed = http.get("/api/v1/users", admin.access_token).json().at("data").as_array();
  for (const auto& user : listed)
    if (user.at("id").as_string() == member.user_id) CHECK_FALSE(user.at("isActive").as_bool());

  require_problem(http.patch(user_path("00000000-0000-4000-8000-000000000000"),
                             json::object{{"role", "EMPLOYEE"}}, admin.access_token),
                  404, "not_found");
}

TEST_CASE("auth: an organisation keeps an active ORG_ADMIN and admins cannot remove themselves",
          "[e2e]") {
  TestApp app("auth_users_last_admin", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("last-admin");
  const auto self = user_path(admin.user_id);

  require_problem(http.patch(self, json::object{{"role", "EMPLOYEE"}}, admin.access_token), 409,
                  "invalid_state");
  require_problem(http.patch(self, json::object{{"isActive", false}}, admin.access_token), 409,
                  "invalid_state");
  CHECK(app.sql().scalar("SELECT role || is_active::text FROM auth.users WHERE id = $1",
                         {admin.user_id}) == "ORG_ADMINtrue");

  // With a second admin, one admin may demote the other, and then that one is no admin.
  auto second = app.add_user(admin, "second-admin", "ORG_ADMIN");
  auto demoted = http.patch(user_path(second.user_id), json::object{{"role", "HR_MANAGER"}},
                            admin.access_token);
  REQUIRE(demoted.status == 200);
  CHECK(demoted.json().at("role").as_string() == "HR_MANAGER");
  // Changing a role does not end sessions: the demoted user's refreshed token has the new role.
  auto refreshed = refresh(http, second.refresh_token);
  REQUIRE(refreshed.status == 200);
  require_problem(http.get("/api/v1/users", text_at(refreshed.json(), "accessToken")), 403,
                  "forbidden");
}
