// POST /api/v1/auth/login: sign-in, one answer for every failure, lockout of a client after its
// repeated wrong passwords (recorded in auth.audit_logs) and throttling per client address (429 +
// Retry-After).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "auth_helpers.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::ServerSettings;
using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

// A failed sign-in must not tell why: the same status and problem whatever the reason.
void require_invalid_credentials(const HttpResponse& response, const HttpResponse& reference) {
  require_problem(response, 401, "unauthorized");
  const auto body = response.json().as_object();
  const auto expected = reference.json().as_object();
  CHECK(body.at("title") == expected.at("title"));
  CHECK(body.at("detail") == expected.at("detail"));
  CHECK(body.at("type") == expected.at("type"));
}

}  // namespace

TEST_CASE("auth: login answers a session, and one answer for every failed sign-in", "[e2e]") {
  TestApp app("auth_login", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("login");
  auto invited = http.post("/api/v1/users",
                           json::object{{"email", "pending@example.com"},
                                        {"firstName", "Pending"},
                                        {"lastName", "Invitee"},
                                        {"role", "EMPLOYEE"}},
                           admin.access_token);
  REQUIRE(invited.status == 201);

  // Success, with the email in any case.
  std::string upper_email = admin.email;
  for (auto& c : upper_email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto ok = login(http, upper_email, admin.password);
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  const auto session = ok.json();
  CHECK(session.at("user").at("id").as_string() == admin.user_id);
  CHECK(session.at("expiresIn").as_int64() == 900);
  CHECK(text_at(session, "refreshToken") != admin.refresh_token);
  CHECK(http.get("/api/v1/auth/me", text_at(session, "accessToken")).status == 200);
  CHECK(security_events(app.sql(), admin.user_id, "login.succeeded") == 1);

  // Every failure looks the same.
  auto unknown = login(http, "nobody@example.com", admin.password);
  require_problem(unknown, 401, "unauthorized");
  require_invalid_credentials(login(http, admin.email, "wrong password!"), unknown);
  require_invalid_credentials(login(http, "pending@example.com", "any password 123"), unknown);
  require_invalid_credentials(login(http, "not even an email", admin.password), unknown);
  CHECK(security_events(app.sql(), admin.user_id, "login.failed") == 1);
  CHECK(app.sql().count("SELECT count(*) FROM auth.audit_logs WHERE event = 'login.failed' "
                        "AND user_id IS NULL") == 2);  // unknown and malformed address
  // The security log never holds what was typed.
  CHECK(app.sql().count("SELECT count(*) FROM auth.audit_logs a WHERE to_jsonb(a)::text "
                        "LIKE '%nobody%' OR to_jsonb(a)::text LIKE '%wrong password%'") == 0);

  // A deactivated user cannot sign in with the right password, and can again once reactivated.
  auto member = app.add_user(admin, "member", "HR_MANAGER");
  auto path = "/api/v1/users/" + member.user_id;
  REQUIRE(http.patch(path, json::object{{"isActive", false}}, admin.access_token).status == 200);
  require_invalid_credentials(login(http, member.email, member.password), unknown);
  REQUIRE(http.patch(path, json::object{{"isActive", true}}, admin.access_token).status == 200);
  CHECK(login(http, member.email, member.password).status == 200);
}

HttpResponse login_from(HttpClient& http, const std::string& client, const std::string& email,
                        const std::string& password) {
  return http.post("/api/v1/auth/login", json::object{{"email", email}, {"password", password}}, "",
                   {{"X-Forwarded-For", client}});
}

std::string lockout_of(payrollx::test::Sql& sql, const std::string& user_id,
                       const std::string& client_key) {
  return sql
      .scalar(
          "SELECT coalesce((SELECT (locked_until > now() + interval '10 minutes')::text "
          "FROM auth.login_lockouts WHERE user_id = $1 AND client_key = $2), 'none')",
          {user_id, client_key})
      .value_or("?");
}

TEST_CASE("auth: repeated wrong passwords lock that client out, even against the right one",
          "[e2e]") {
  // The test's requests come through a "proxy" (127.0.0.1) naming the client.
  ServerSettings settings = unthrottled();
  settings.env.emplace_back("PAYROLLX_LOCKOUT_THRESHOLD", "3");
  settings.env.emplace_back("PAYROLLX_TRUSTED_PROXIES", "127.0.0.1");
  TestApp app("auth_lockout", settings);
  auto& http = app.http();
  auto victim = app.signup("victim");
  auto bystander = app.signup("bystander");
  const std::string attacker = "203.0.113.7";
  const std::string owner = "198.51.100.2";

  // Below the threshold a right password still works, and it resets the count.
  for (int i = 0; i < 2; ++i)
    CHECK(login_from(http, attacker, victim.email, "wrong password!").status == 401);
  REQUIRE(login_from(http, attacker, victim.email, victim.password).status == 200);
  CHECK(app.sql().count("SELECT count(*) FROM auth.login_lockouts WHERE user_id = $1",
                        {victim.user_id}) == 0);

  for (int i = 0; i < 3; ++i)
    CHECK(login_from(http, attacker, victim.email, "wrong password!").status == 401);
  auto locked = login_from(http, attacker, victim.email, victim.password);
  require_problem(locked, 401, "unauthorized");
  CHECK(security_events(app.sql(), victim.user_id, "login.locked") == 1);
  CHECK(lockout_of(app.sql(), victim.user_id, attacker) == "true");  // the default 15 minutes
  // More failures while locked do not extend the lock or lock again.
  CHECK(login_from(http, attacker, victim.email, "wrong password!").status == 401);
  CHECK(security_events(app.sql(), victim.user_id, "login.locked") == 1);

  // The owner, from another address, is not locked out: one address cannot lock a victim out.
  CHECK(login_from(http, owner, victim.email, victim.password).status == 200);
  CHECK(lockout_of(app.sql(), victim.user_id, owner) == "none");
  // Other accounts are not affected either.
  CHECK(login_from(http, attacker, bystander.email, bystander.password).status == 200);

  // Once the lock has run out, the right password works again from the locked address.
  app.sql().exec(
      "UPDATE auth.login_lockouts SET locked_until = now() - interval '1 second' "
      "WHERE user_id = $1",
      {victim.user_id});
  CHECK(login_from(http, attacker, victim.email, victim.password).status == 200);
}

TEST_CASE("auth: an IPv6 client is locked out with its whole /64", "[e2e]") {
  ServerSettings settings = unthrottled();
  settings.env.emplace_back("PAYROLLX_LOCKOUT_THRESHOLD", "2");
  settings.env.emplace_back("PAYROLLX_TRUSTED_PROXIES", "127.0.0.1");
  settings.env.emplace_back("PAYROLLX_JOBS_INTERVAL_MS", "200");
  TestApp app("auth_lockout_v6", settings);
  auto& http = app.http();
  auto victim = app.signup("victim6");

  for (int i = 0; i < 2; ++i)
    CHECK(login_from(http, "2001:db8:1:2::1", victim.email, "wrong password!").status == 401);
  CHECK(lockout_of(app.sql(), victim.user_id, "2001:db8:1:2::/64") == "true");
  // Another address of the same /64 is the same client; another /64 is not.
  CHECK(login_from(http, "2001:db8:1:2:ffff::9", victim.email, victim.password).status == 401);
  CHECK(login_from(http, "2001:db8:1:3::1", victim.email, victim.password).status == 200);

  // A background job forgets lockouts that ran out a day ago, and only those: rotating
  // addresses must not pile rows up for ever.
  CHECK(login_from(http, "198.51.100.9", victim.email, "wrong password!").status == 401);
  app.sql().exec(
      "UPDATE auth.login_lockouts SET updated_at = now() - interval '2 days', "
      "locked_until = now() - interval '1 day' WHERE client_key = '2001:db8:1:2::/64'");
  bool purged = false;
  for (int i = 0; i < 100 && !purged; ++i) {
    purged = lockout_of(app.sql(), victim.user_id, "2001:db8:1:2::/64") == "none";
    if (!purged) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(purged);
  CHECK(app.sql().count("SELECT count(*) FROM auth.login_lockouts WHERE client_key = "
                        "'198.51.100.9'") == 1);
}

TEST_CASE("auth: login and signup are throttled per client address with Retry-After", "[e2e]") {
  ServerSettings settings;
  settings.env.emplace_back("PAYROLLX_AUTH_RATE_LIMIT", "5");
  TestApp app("auth_throttle", settings);
  auto& http = app.http();
  auto user = app.signup("throttled");  // signup attempt 1 of 5

  for (int i = 0; i < 5; ++i) CHECK(login(http, user.email, "wrong password!").status == 401);
  auto refused = login(http, user.email, user.password);
  require_problem(refused, 429, "rate_limited");
  const auto retry_after = std::stoi(refused.header("retry-after").value_or("0"));
  CHECK(retry_after >= 1);
  // The sliding-window estimate may need part of the next minute as well.
  CHECK(retry_after <= 120);
  // A refused attempt is not a failed sign-in: it neither counts nor is checked.
  CHECK(security_events(app.sql(), user.user_id, "login.failed") == 5);
  CHECK(security_events(app.sql(), user.user_id, "login.succeeded") == 0);

  // Signup has its own budget, also per address.
  for (int i = 0; i < 4; ++i) app.signup("more" + std::to_string(i));
  const auto organizations = app.sql().count("SELECT count(*) FROM organization.organizations");
  auto extra = http.post("/api/v1/auth/signup", json::object{{"email", "extra@example.com"},
                                                             {"password", "a long enough password"},
                                                             {"firstName", "Extra"},
                                                             {"lastName", "Signup"},
                                                             {"organizationName", "Extra Ltd"}});
  require_problem(extra, 429, "rate_limited");
  CHECK(extra.header("retry-after").has_value());
  CHECK(app.sql().count("SELECT count(*) FROM organization.organizations") == organizations);

  // Guessing the current password with a stolen access token is throttled per user.
  const json::object guess{{"currentPassword", "a guess at it"}, {"newPassword", "a new password"}};
  for (int i = 0; i < 5; ++i)
    CHECK(http.post("/api/v1/auth/password", guess, user.access_token).status == 400);
  require_problem(http.post("/api/v1/auth/password", guess, user.access_token), 429,
                  "rate_limited");

  // Other routes are not throttled.
  CHECK(http.get("/api/v1/auth/me", user.access_token).status == 200);
}
