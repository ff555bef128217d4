// GET and PATCH /api/v1/organization against the real server: what every member reads, what the
// admin may change, the Solana signer checks, name conflicts, and who gets 401 or 403.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::upper;

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/organization";
// Real Solana public keys (32 bytes each): the system program and the SPL token program.
constexpr auto k_system_program = "11111111111111111111111111111111";
constexpr auto k_token_program = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

// The problem document of `response`, once its status and code are the expected ones.
json::object problem(const HttpResponse& response, int status, std::string_view code) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == status);
  REQUIRE(response.header("content-type").value_or("").starts_with("application/problem+json"));
  auto body = response.json().as_object();
  REQUIRE(body.at("code").as_string() == code);
  return body;
}

std::set<std::string> error_fields(const json::object& problem) {
  std::set<std::string> fields;
  for (const auto& error : problem.at("errors").as_array())
    fields.insert(std::string(error.at("field").as_string()));
  return fields;
}

json::object organization_of(TestApp& app, const std::string& token) {
  auto response = app.http().get(k_path, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json().as_object();
}

}  // namespace

TEST_CASE("organization: every member reads the organisation the admin patched", "[e2e]") {
  TestApp app("organization_profile");
  auto admin = app.signup("org-profile");
  auto employee = app.add_user(admin, "org-profile-employee", "EMPLOYEE");

  auto initial = organization_of(app, employee.access_token);
  CHECK(initial.at("id").as_string() == admin.organization_id);
  CHECK(!initial.at("name").as_string().empty());
  CHECK(initial.at("country").is_null());
  CHECK(initial.at("taxId").is_null());
  CHECK(initial.at("authorizedSigners").as_array().empty());
  CHECK(initial.at("status").as_string() == "ACTIVE");
  CHECK(initial.at("createdAt").is_string());

  const std::string new_name = "Renamed " + admin.organization_id.substr(0, 8) + " GmbH";
  json::object patch{{"name", new_name},
                     {"country", "DE"},
                     {"taxId", "DE123456789"},
                     {"authorizedSigners", json::array{k_system_program, k_token_program}}};
  auto patched = app.http().patch(k_path, patch, admin.access_token);
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  auto answer = patched.json().as_object();
  CHECK(answer.at("id").as_string() == admin.organization_id);
  CHECK(answer.at("name").as_string() == new_name);
  CHECK(answer.at("country").as_string() == "DE");
  CHECK(answer.at("taxId").as_string() == "DE123456789");
  CHECK(answer.at("authorizedSigners") == json::array{k_system_program, k_token_program});
  CHECK(answer.at("createdAt") == initial.at("createdAt"));
  CHECK(answer.at("updatedAt") != initial.at("updatedAt"));

  // Every member now reads the same organisation.
  CHECK(organization_of(app, employee.access_token) == answer);

  // Absent fields stay; null clears the tax id and the country; signers are replaced as a whole.
  auto cleared = app.http().patch(k_path,
                                  {{"taxId", nullptr},
                                   {"country", nullptr},
                                   {"authorizedSigners", json::array{k_token_program}}},
                                  admin.access_token);
  INFO(cleared.body);
  REQUIRE(cleared.status == 200);
  auto after_clear = organization_of(app, admin.access_token);
  CHECK(after_clear.at("taxId").is_null());
  CHECK(after_clear.at("name").as_string() == new_name);
  CHECK(after_clear.at("country").is_null());
  CHECK(after_clear.at("authorizedSigners") == json::array{k_token_program});
  CHECK(app.sql().scalar("SELECT tax_id IS NULL AND country IS NULL FROM "
                         "organization.organizations WHERE id = $1",
                         {admin.organization_id}) == "t");
}

TEST_CASE("organization: PATCH names each bad field in a 400 and changes nothing", "[e2e]") {
  TestApp app("organization_patch_errors");
  auto admin = app.signup("org-patch-errors");
  auto before = organization_of(app, admin.access_token);

  struct Case {
    json::object body;
    std::set<std::string> fields;
  };
  const std::vector<Case> cases{
      {{{"name", ""}}, {"name"}},
      {{{"name", std::string(201, 'n')}}, {"name"}},
      {{{"country", "de"}}, {"country"}},
      {{{"country", "DEU"}}, {"country"}},
      {{{"country", "D1"}}, {"country"}},
      {{{"taxId", ""}}, {"taxId"}},
      {{{"taxId", std::string(65, '7')}}, {"taxId"}},
      {{{"authorizedSigners", "not-an-array"}}, {"authorizedSigners"}},
      {{{"status", "SUSPENDED"}}, {"status"}},  // read-only: not a PATCH field
      // null would silently keep the old value of fields that cannot be cleared.
      {{{"name", nullptr}}, {"name"}},
      {{{"authorizedSigners", nullptr}}, {"authorizedSigners"}},
      // Several bad fields at once: one error per field, and the good ones are not applied.
      {{{"name", ""}, {"country", "xx"}, {"taxId", 12}, {"id", admin.user_id}},
       {"name", "country", "taxId", "id"}},
  };
  for (const auto& c : cases) {
    INFO(json::serialize(c.body));
    auto response = app.http().patch(k_path, c.body, admin.access_token);
    auto body = problem(response, 400, "validation_failed");
    CHECK(error_fields(body) == c.fields);
  }
  CHECK(organization_of(app, admin.access_token) == before);
}

TEST_CASE("organization: signers must be distinct Solana keys and each bad one is named", "[e2e]") {
  TestApp app("organization_signers");
  auto admin = app.signup("org-signers");
  auto before = organization_of(app, admin.access_token);

  json::array signers{
      k_system_program,                                // [0] fine
      "0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl",              // [1] characters outside base58
      "22222222222222222222222222222222",              // [2] base58, but only 24 bytes
      std::string(42, '1') + "2",                      // [3] 43 bytes
      "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",  // [4] 44 characters, 33 bytes
      "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5D",    // [5] truncated key
      42,                                              // [6] not a string
      k_system_program,                                // [7] listed twice
      "",                                              // [8] empty
  };
  auto response = app.http().patch(k_path, {{"authorizedSigners", signers}}, admin.access_token);
  auto body = problem(response, 400, "validation_failed");
  CHECK(error_fields(body) == std::set<std::string>{"authorizedSigners[1]", "authorizedSigners[2]",
                                                    "authorizedSigners[3]", "authorizedSigners[4]",
                                                    "authorizedSigners[5]", "authorizedSigners[6]",
                                                    "authorizedSigners[7]",
                                                    "authorizedSigners[8]"});

  json::array too_many;
  for (int i = 0; i < 21; ++i) too_many.emplace_back(k_token_program);
  auto overflow = app.http().patch(k_path, {{"authorizedSigners", too_many}}, admin.access_token);
  CHECK(error_fields(problem(overflow, 400, "validation_failed")).count("authorizedSigners") == 1);

  CHECK(organization_of(app, admin.access_token) == before);

  // An empty list is valid: it removes every signer.
  auto set = app.http().patch(k_path, {{"authorizedSigners", json::array{k_token_program}}},
                              admin.access_token);
  REQUIRE(set.status == 200);
  auto emptied =
      app.http().patch(k_path, {{"authorizedSigners", json::array{}}}, admin.access_token);
  INFO(emptied.body);
  REQUIRE(emptied.status == 200);
  CHECK(emptied.json().at("authorizedSigners").as_array().empty());
}

TEST_CASE("organization: a name another organisation holds, in any case, is a 409", "[e2e]") {
  TestApp app("organization_name_conflict");
  auto first = app.signup("org-conflict-a");
  auto second = app.signup("org-conflict-b");
  auto first_before = organization_of(app, first.access_token);
  const std::string taken(organization_of(app, second.access_token).at("name").as_string());

  for (const auto& name : {taken, upper(taken)}) {
    auto response =
        app.http().patch(k_path, {{"name", name}, {"country", "FR"}}, first.access_token);
    problem(response, 409, "conflict");
  }
  CHECK(organization_of(app, first.access_token) == first_before);

  // The organisation's own name in another case is no conflict.
  const std::string own(first_before.at("name").as_string());
  auto recased = app.http().patch(k_path, {{"name", upper(own)}}, first.access_token);
  INFO(recased.body);
  REQUIRE(recased.status == 200);
  CHECK(recased.json().at("name").as_string() == upper(own));
}

TEST_CASE("organization: 401 without a valid token, 403 for roles other than ORG_ADMIN", "[e2e]") {
  TestApp app("organization_roles");
  auto admin = app.signup("org-roles");
  auto hr = app.add_user(admin, "org-roles-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "org-roles-finance", "FINANCE_MANAGER");
  auto employee = app.add_user(admin, "org-roles-employee", "EMPLOYEE");
  auto before = organization_of(app, admin.access_token);
  const json::object patch{{"name", "Hijacked Name"}};
  auto& http = app.http();

  for (const std::string token : {"", "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"}) {
    INFO("token '" << token << "'");
    auto read = http.get(k_path, token);
    problem(read, 401, "unauthorized");
    CHECK(read.header("www-authenticate") == "Bearer");
    problem(http.patch(k_path, patch, token), 401, "unauthorized");
  }
  // An admin's token with one character inside its signature changed (not the last one,
  // whose low bits are base64url padding).
  auto forged = admin.access_token;
  auto& flipped = forged[forged.size() - 10];
  flipped = flipped == 'A' ? 'B' : 'A';
  problem(http.patch(k_path, patch, forged), 401, "unauthorized");

  for (const auto* member : {&hr, &finance, &employee}) {
    CHECK(organization_of(app, member->access_token).at("id") == before.at("id"));
    problem(http.patch(k_path, patch, member->access_token), 403, "forbidden");
  }
  CHECK(organization_of(app, admin.access_token) == before);
}
