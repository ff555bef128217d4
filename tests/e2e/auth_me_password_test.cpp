// GET /api/v1/auth/me (and the bearer-token check every user route shares) and
// POST /api/v1/auth/password, which ends every other session of the user.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "auth_helpers.hpp"
#include "core/auth/jwt.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

// The server of these tests signs with this secret, so that the tests can forge tokens.
constexpr auto k_secret = "auth-me-test-secret-0123456789abcdefghij";

HttpResponse change_password(HttpClient& http, const std::string& token, const std::string& current,
                             const std::string& next) {
  return http.post("/api/v1/auth/password",
                   json::object{{"currentPassword", current}, {"newPassword", next}}, token);
}

}  // namespace

TEST_CASE("auth: me answers the caller and missing, forged or expired tokens are 401", "[e2e]") {
  auto settings = unthrottled();
  settings.env.emplace_back("PAYROLLX_JWT_SECRET", k_secret);
  TestApp app("auth_me", settings);
  auto& http = app.http();
  auto admin = app.signup("me");
  auto member = app.add_user(admin, "me-member", "FINANCE_MANAGER");

  auto me = http.get("/api/v1/auth/me", member.access_token);
  INFO(me.body);
  REQUIRE(me.status == 200);
  const auto user = me.json();
  CHECK(user.at("id").as_string() == member.user_id);
  CHECK(user.at("email").as_string() == member.email);
  CHECK(user.at("role").as_string() == "FINANCE_MANAGER");
  CHECK(user.at("organizationId").as_string() == admin.organization_id);
  CHECK(user.at("isActive").as_bool());
  CHECK(user.at("lastName").as_string() == "Tester");
  CHECK(payrollx::parse_timestamp(text_at(user, "createdAt")).has_value());

  const auto now = payrollx::now();
  const payrollx::Principal principal{
      .user_id = payrollx::Uuid::parse(member.user_id).value(),
      .organization_id = payrollx::Uuid::parse(admin.organization_id).value(),
      .role = payrollx::Role::finance_manager,
      .token_id = "forged",
      .session_id = std::nullopt};
  const payrollx::TokenSigner signer(k_secret, std::chrono::minutes(15));
  // A token the server's own secret signs is accepted: the forgeries below fail for their flaw.
  REQUIRE(http.get("/api/v1/auth/me", signer.issue(principal, now)).status == 200);

  std::string tampered = member.access_token;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  auto unknown_user = principal;
  unknown_user.user_id = payrollx::Uuid::random();
  const std::vector<std::pair<std::string, HttpResponse>> refusals{
      {"no token", http.get("/api/v1/auth/me")},
      {"not a JWT", http.get("/api/v1/auth/me", "not-a-jwt")},
      {"signature altered", http.get("/api/v1/auth/me", tampered)},
      {"signed with another secret",
       http.get("/api/v1/auth/me",
                payrollx::TokenSigner("another-secret-0123456789abcdefghijklmnop",
                                      std::chrono::minutes(15))
                    .issue(principal, now))},
      {"expired",
       http.get("/api/v1/auth/me", signer.issue(principal, now - std::chrono::minutes(16)))},
      {"user that does not exist", http.get("/api/v1/auth/me", signer.issue(unknown_user, now))},
      {"another scheme", http.request("GET", "/api/v1/auth/me", "",
                                      {{"Authorization", "Basic " + member.access_token}})},
      {"a refresh token", http.get("/api/v1/auth/me", member.refresh_token)},
  };
  for (const auto& [what, response] : refusals) {
    INFO(what);
    require_problem(response, 401, "unauthorized");
  }
}

TEST_CASE("auth: password change ends the other sessions but not the current one", "[e2e]") {
  TestApp app("auth_password", unthrottled());
  auto& http = app.http();
  auto user = app.signup("password");
  auto other = login(http, user.email, user.password);  // another device
  REQUIRE(other.status == 200);
  const auto other_refresh = text_at(other.json(), "refreshToken");
  const std::string next = "a brand new passphrase";

  auto changed = change_password(http, user.access_token, user.password, next);
  INFO(changed.body);
  REQUIRE(changed.status == 204);
  CHECK(changed.body.empty());

  require_problem(refresh(http, other_refresh), 401, "unauthorized");
  CHECK(refresh(http, user.refresh_token).status == 200);
  CHECK(http.get("/api/v1/auth/me", user.access_token).status == 200);

  require_problem(login(http, user.email, user.password), 401, "unauthorized");
  CHECK(login(http, user.email, next).status == 200);
  CHECK(security_events(app.sql(), user.user_id, "password.changed") == 1);
}

TEST_CASE("auth: password change refusals leave the password as it was", "[e2e]") {
  TestApp app("auth_password_refusals", unthrottled());
  auto& http = app.http();
  auto user = app.signup("password-refusals");
  const auto hash =
      app.sql().scalar("SELECT password_hash FROM auth.users WHERE id = $1", {user.user_id});

  auto wrong = change_password(http, user.access_token, "not my password", "a brand new one!");
  require_problem(wrong, 400, "validation_failed");
  CHECK(names_field(wrong, "currentPassword"));

  auto weak = change_password(http, user.access_token, user.password, "too short");
  require_problem(weak, 400, "validation_failed");
  CHECK(names_field(weak, "newPassword"));

  auto anonymous = change_password(http, "", user.password, "a brand new one!");
  require_problem(anonymous, 401, "unauthorized");

  CHECK(app.sql().scalar("SELECT password_hash FROM auth.users WHERE id = $1", {user.user_id}) ==
        hash);
  CHECK(security_events(app.sql(), user.user_id, "password.changed") == 0);
  CHECK(refresh(http, user.refresh_token).status == 200);
}
