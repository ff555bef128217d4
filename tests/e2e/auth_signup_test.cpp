// POST /api/v1/auth/signup: one transaction creates the organisation, its settings and the
// ORG_ADMIN; every refusal writes nothing. (Malformed bodies: bad_input_test.cpp.)
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "auth_helpers.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

json::object signup_body(const std::string& email, const std::string& organization) {
  return {{"email", email},
          {"password", "a long enough password"},
          {"firstName", "Ada"},
          {"lastName", "Lovelace"},
          {"organizationName", organization}};
}

}  // namespace

TEST_CASE("auth: signup creates organisation, settings and ORG_ADMIN and signs in", "[e2e]") {
  TestApp app("auth_signup", unthrottled());
  auto& http = app.http();
  auto body = signup_body("Ada.Lovelace@Example.COM", "Analytical Engines");
  body["baseCurrency"] = "EUR";
  auto response = http.post("/api/v1/auth/signup", body);
  INFO(response.body);
  REQUIRE(response.status == 201);
  const auto answer = response.json();

  const auto& user = answer.at("user").as_object();
  std::set<std::string> keys;
  for (const auto& [key, value] : user) keys.insert(std::string(key));
  CHECK(keys == std::set<std::string>{"id", "email", "firstName", "lastName", "role",
                                      "organizationId", "isActive", "createdAt"});
  CHECK(user.at("email").as_string() == "ada.lovelace@example.com");  // normalized
  CHECK(user.at("role").as_string() == "ORG_ADMIN");
  CHECK(user.at("isActive").as_bool());
  CHECK(user.at("firstName").as_string() == "Ada");
  const auto organization_id = text_at(answer.at("organization"), "id");
  CHECK(user.at("organizationId").as_string() == organization_id);
  CHECK(answer.at("organization").at("name").as_string() == "Analytical Engines");
  CHECK(answer.at("expiresIn").as_int64() == 900);
  const auto user_id = text_at(user, "id");
  const auto access_token = text_at(answer, "accessToken");
  const auto refresh_token = text_at(answer, "refreshToken");

  // The tokens work.
  auto me = http.get("/api/v1/auth/me", access_token);
  REQUIRE(me.status == 200);
  CHECK(me.json().as_object() == user);
  CHECK(refresh(http, refresh_token).status == 200);
  auto settings = http.get("/api/v1/organization/settings", access_token);
  REQUIRE(settings.status == 200);
  CHECK(settings.json().at("baseCurrency").as_string() == "EUR");

  // What was stored: Argon2id, no plain secret anywhere, the audit and security records.
  auto& sql = app.sql();
  CHECK(sql.scalar("SELECT organization_id::text FROM auth.users WHERE id = $1", {user_id}) ==
        organization_id);
  CHECK(sql.scalar("SELECT password_hash FROM auth.users WHERE id = $1", {user_id})
            ->starts_with("$argon2id$"));
  CHECK(sql.count("SELECT count(*) FROM auth.refresh_tokens WHERE user_id = $1 AND "
                  "token_hash = sha256(convert_to($2, 'UTF8'))",
                  {user_id, refresh_token}) == 1);
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1 AND "
                  "action = 'user.signed_up' AND entity_id = $2",
                  {organization_id, user_id}) == 1);
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1 AND "
                  "action = 'organization.created'",
                  {organization_id}) == 1);
}

TEST_CASE("auth: signup without baseCurrency uses USD", "[e2e]") {
  TestApp app("auth_signup_usd", unthrottled());
  auto admin = app.signup("usd");
  auto settings = app.http().get("/api/v1/organization/settings", admin.access_token);
  REQUIRE(settings.status == 200);
  CHECK(settings.json().at("baseCurrency").as_string() == "USD");
}

TEST_CASE("auth: signup refusals answer their problem and write nothing", "[e2e]") {
  TestApp app("auth_signup_refusals", unthrottled());
  auto& http = app.http();
  auto first = http.post("/api/v1/auth/signup", signup_body("taken@example.com", "Taken Ltd"));
  REQUIRE(first.status == 201);

  struct Refusal {
    std::string what;
    json::object body;
    int status;
    std::string code;
    std::vector<std::string> fields;  // each must have its errors[] entry
  };
  auto with = [](json::object body, std::string_view key, std::string_view value) {
    body[key] = value;
    return body;
  };
  const std::vector<Refusal> refusals{
      {"email taken, in another case",
       signup_body("TAKEN@example.com", "Another Ltd"),
       409,
       "conflict",
       {}},
      {"organisation name taken, in another case",
       signup_body("other@example.com", "TAKEN ltd"),
       409,
       "conflict",
       {}},
      // 9 characters in 18 bytes: the length is counted in characters.
      {"password too short",
       with(signup_body("short@example.com", "Short Ltd"), "password", "ééééééééé"),
       400,
       "validation_failed",
       {"password"}},
      {"password too long",
       with(signup_body("long@example.com", "Long Ltd"), "password", std::string(129, 'p')),
       400,
       "validation_failed",
       {"password"}},
      {"not an email address",
       signup_body("no-at-sign.example.com", "No At Ltd"),
       400,
       "validation_failed",
       {"email"}},
      {"unknown base currency",
       with(signup_body("currency@example.com", "Currency Ltd"), "baseCurrency", "XYZ"),
       400,
       "validation_failed",
       {"baseCurrency"}},
      {"several bad fields",
       with(signup_body("bad", ""), "password", "short"),
       400,
       "validation_failed",
       {"email", "password", "organizationName"}},
  };

  const auto before = written(app.sql());
  for (const auto& refusal : refusals) {
    INFO(refusal.what);
    auto response = http.post("/api/v1/auth/signup", refusal.body);
    require_problem(response, refusal.status, refusal.code);
    for (const auto& field : refusal.fields) CHECK(names_field(response, field));
  }
  CHECK(written(app.sql()) == before);
}
