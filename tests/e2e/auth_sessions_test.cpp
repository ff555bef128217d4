// Sessions: POST /api/v1/auth/refresh rotates refresh tokens within a family, a reused token
// revokes its family, POST /api/v1/auth/logout ends a family, and sessions are independent.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "auth_helpers.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

payrollx::test::HttpResponse logout(payrollx::test::HttpClient& http, const std::string& token) {
  return http.post("/api/v1/auth/logout", json::object{{"refreshToken", token}});
}

// Live (neither used nor revoked) refresh tokens of the family `token` belongs to.
long long live_in_family(payrollx::test::Sql& sql, const std::string& token) {
  return sql.count(
      "SELECT count(*) FROM auth.refresh_tokens WHERE used_at IS NULL AND revoked_at IS NULL "
      "AND family_id = (SELECT family_id FROM auth.refresh_tokens "
      "WHERE token_hash = sha256(convert_to($1, 'UTF8')))",
      {token});
}

}  // namespace

TEST_CASE("auth: refresh rotates the pair, and a reused token revokes its family", "[e2e]") {
  TestApp app("auth_refresh", unthrottled());
  auto& http = app.http();
  auto user = app.signup("refresh");
  auto other_session = login(http, user.email, user.password);
  REQUIRE(other_session.status == 200);
  const auto other_refresh = text_at(other_session.json(), "refreshToken");

  auto rotated = refresh(http, user.refresh_token);
  INFO(rotated.body);
  REQUIRE(rotated.status == 200);
  const auto pair = rotated.json();
  const auto second = text_at(pair, "refreshToken");
  CHECK(second != user.refresh_token);
  CHECK(text_at(pair, "accessToken") != user.access_token);
  CHECK(pair.at("expiresIn").as_int64() == 900);
  CHECK(pair.at("user").at("id").as_string() == user.user_id);
  CHECK(http.get("/api/v1/auth/me", text_at(pair, "accessToken")).status == 200);
  CHECK(live_in_family(app.sql(), second) == 1);

  // The successor rotates in turn.
  auto third_answer = refresh(http, second);
  REQUIRE(third_answer.status == 200);
  const auto third = text_at(third_answer.json(), "refreshToken");

  // Presenting an already rotated token: 401, and the live successor dies with the family.
  require_problem(refresh(http, user.refresh_token), 401, "unauthorized");
  CHECK(live_in_family(app.sql(), third) == 0);
  require_problem(refresh(http, third), 401, "unauthorized");
  CHECK(security_events(app.sql(), user.user_id, "refresh.reused") >= 1);

  // Another sign-in of the same user is its own family and lives on.
  CHECK(refresh(http, other_refresh).status == 200);
}

TEST_CASE("auth: refresh refuses unknown, expired and malformed tokens", "[e2e]") {
  TestApp app("auth_refresh_bad", unthrottled());
  auto& http = app.http();
  auto user = app.signup("refresh-bad");

  require_problem(refresh(http, "definitely-not-a-token"), 401, "unauthorized");
  // An access token is not a refresh token.
  require_problem(refresh(http, user.access_token.substr(0, 256)), 401, "unauthorized");
  // Nothing was revoked by those.
  CHECK(live_in_family(app.sql(), user.refresh_token) == 1);

  // An expired token is refused but is no sign of theft: its family is not revoked.
  app.sql().exec(
      "UPDATE auth.refresh_tokens SET expires_at = now() - interval '1 second' "
      "WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
      {user.refresh_token});
  require_problem(refresh(http, user.refresh_token), 401, "unauthorized");
  CHECK(security_events(app.sql(), user.user_id, "refresh.reused") == 0);
  CHECK(live_in_family(app.sql(), user.refresh_token) == 1);
}

TEST_CASE("auth: logout ends that session only, and is idempotent", "[e2e]") {
  TestApp app("auth_logout", unthrottled());
  auto& http = app.http();
  auto user = app.signup("logout");
  auto other = login(http, user.email, user.password);
  REQUIRE(other.status == 200);
  const auto other_refresh = text_at(other.json(), "refreshToken");

  // Logout with a rotated-away token still ends its family.
  auto rotated = refresh(http, user.refresh_token);
  REQUIRE(rotated.status == 200);
  const auto current = text_at(rotated.json(), "refreshToken");
  auto out = logout(http, user.refresh_token);
  INFO(out.body);
  CHECK(out.status == 204);
  CHECK(out.body.empty());
  require_problem(refresh(http, current), 401, "unauthorized");
  CHECK(security_events(app.sql(), user.user_id, "session.revoked") == 1);
  // A logged-out token is refused, but it was never rotated: no alarm of theft.
  CHECK(security_events(app.sql(), user.user_id, "refresh.reused") == 0);

  // Again, or with a token nobody issued: still 204, nothing recorded.
  CHECK(logout(http, current).status == 204);
  CHECK(logout(http, "never-issued-token").status == 204);
  CHECK(security_events(app.sql(), user.user_id, "session.revoked") == 1);

  // The other sign-in is untouched.
  CHECK(refresh(http, other_refresh).status == 200);
}

TEST_CASE("auth: a live refresh token of an inactive user is refused and stays unused", "[e2e]") {
  TestApp app("auth_refresh_inactive", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("refresh-inactive-admin");
  auto member = app.add_user(admin, "refresh-inactive", "EMPLOYEE");
  // What a refresh racing the deactivation can leave behind: an inactive user whose newest
  // token escaped the revocation.
  app.sql().exec("UPDATE auth.users SET is_active = false WHERE id = $1", {member.user_id});

  require_problem(refresh(http, member.refresh_token), 401, "unauthorized");
  CHECK(app.sql().count("SELECT count(*) FROM auth.refresh_tokens WHERE user_id = $1",
                        {member.user_id}) == 1);  // no successor was issued
  CHECK(live_in_family(app.sql(), member.refresh_token) == 1);
  CHECK(security_events(app.sql(), member.user_id, "refresh.reused") == 0);

  // The activity is what refused it.
  app.sql().exec("UPDATE auth.users SET is_active = true WHERE id = $1", {member.user_id});
  CHECK(refresh(http, member.refresh_token).status == 200);
}

TEST_CASE("auth: answers that carry tokens are Cache-Control: no-store", "[e2e]") {
  TestApp app("auth_no_store", unthrottled());
  auto& http = app.http();
  auto signup =
      http.post("/api/v1/auth/signup", json::object{{"email", "nostore@example.com"},
                                                    {"password", "a long enough password"},
                                                    {"firstName", "No"},
                                                    {"lastName", "Store"},
                                                    {"organizationName", "No Store Ltd"}});
  REQUIRE(signup.status == 201);
  CHECK(signup.header("cache-control") == "no-store");
  auto signed_up = signup.json();
  const auto admin_token = text_at(signed_up, "accessToken");

  auto signed_in = login(http, "nostore@example.com", "a long enough password");
  REQUIRE(signed_in.status == 200);
  CHECK(signed_in.header("cache-control") == "no-store");
  // A refused sign-in has nothing to hide but is of the same route: no-store as well.
  CHECK(login(http, "nostore@example.com", "wrong password!").header("cache-control") ==
        "no-store");
  auto refreshed = refresh(http, text_at(signed_in.json(), "refreshToken"));
  REQUIRE(refreshed.status == 200);
  CHECK(refreshed.header("cache-control") == "no-store");

  auto invited = http.post("/api/v1/users",
                           json::object{{"email", "invitee@example.com"},
                                        {"firstName", "In"},
                                        {"lastName", "Vitee"},
                                        {"role", "HR_MANAGER"}},
                           admin_token);
  REQUIRE(invited.status == 201);
  CHECK(invited.header("cache-control") == "no-store");
  const auto invitation = invited.json().at("invitation");
  auto accepted = http.post(
      "/api/v1/auth/invitations/accept",
      json::object{{"token", invitation.at("token")}, {"password", "another long password"}});
  REQUIRE(accepted.status == 200);
  CHECK(accepted.header("cache-control") == "no-store");

  // Answers without secrets are cacheable as the client sees fit.
  CHECK_FALSE(http.get("/api/v1/auth/me", admin_token).header("cache-control"));
}
