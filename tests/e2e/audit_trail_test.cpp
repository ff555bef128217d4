// Changes made through the API leave their audit entry: before and after, the actor, the
// response's X-Request-Id, written by the change's own transaction (same xmin in PostgreSQL).
// A change that fails, or changes nothing, leaves none and takes no place in the chain.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "test_app.hpp"

namespace {

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_organization = "/api/v1/organization";
constexpr auto k_settings = "/api/v1/organization/settings";

// The organisation's only entry with `action`, as the API lists it.
json::object only_entry(TestApp& app, const std::string& token, const std::string& action) {
  auto response = app.http().get("/api/v1/audit-logs?action=" + action, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  const auto data = response.json().at("data").as_array();
  REQUIRE(data.size() == 1);
  return data[0].as_object();
}

// The id of the transaction that wrote the row (its xmin).
std::string writer_of(TestApp& app, const std::string& table, const std::string& key,
                      const std::string& id) {
  return *app.sql().scalar("SELECT xmin::text FROM " + table + " WHERE " + key + " = $1", {id});
}

HttpResponse send_with_request_id(TestApp& app, const std::string& method, const std::string& path,
                                  const json::object& body, const std::string& token,
                                  const std::string& request_id) {
  return app.http().request(method, path, json::serialize(body), {{"X-Request-Id", request_id}},
                            token);
}

long long entry_count(TestApp& app, const std::string& organization_id) {
  return app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1",
                         {organization_id});
}

// The seq of the organisation's chain head once everything committed is sealed (verify seals).
std::optional<std::string> sealed_head(TestApp& app, const std::string& token,
                                       const std::string& organization_id) {
  REQUIRE(app.http().get("/api/v1/audit-logs/verify", token).status == 200);
  return app.sql().scalar(
      "SELECT seq::text FROM compliance.audit_chain_heads WHERE organization_id = $1",
      {organization_id});
}

}  // namespace

TEST_CASE("audit: signup and organisation changes are audited in their own transaction", "[e2e]") {
  TestApp app("audit_trail");
  auto admin = app.signup("audit-trail");
  const auto& org = admin.organization_id;
  const auto& token = admin.access_token;

  // Signup: the organisation, its settings, its admin and both entries commit together.
  auto created = only_entry(app, token, "organization.created");
  CHECK(created.at("before").is_null());
  CHECK(created.at("after").at("id").as_string() == org);
  CHECK(created.at("after").at("settings").at("baseCurrency").as_string() == "USD");
  CHECK(created.at("actorId").as_string() == admin.user_id);
  auto signed_up = only_entry(app, token, "user.signed_up");
  const auto signup_tx = writer_of(app, "organization.organizations", "id", org);
  CHECK(writer_of(app, "organization.organization_settings", "organization_id", org) == signup_tx);
  CHECK(writer_of(app, "auth.users", "id", admin.user_id) == signup_tx);
  CHECK(writer_of(app, "compliance.audit_logs", "id", std::string(created.at("id").as_string())) ==
        signup_tx);
  CHECK(writer_of(app, "compliance.audit_logs", "id",
                  std::string(signed_up.at("id").as_string())) == signup_tx);
  // The treasury opens with the organisation.
  auto opened = only_entry(app, token, "wallet.opened");
  CHECK(opened.at("after").at("ownerId").as_string() == org);
  CHECK(writer_of(app, "compliance.audit_logs", "id", std::string(opened.at("id").as_string())) ==
        signup_tx);

  // PATCH: before is the organisation as it was, after is the answer, the request id is ours.
  auto before = app.http().get(k_organization, token).json();
  const std::string request_id = "audit-trail-patch-" + org.substr(0, 8);
  auto patched = send_with_request_id(app, "PATCH", k_organization,
                                      {{"country", "NL"}, {"taxId", "NL0001"}}, token, request_id);
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  CHECK(patched.header("x-request-id") == request_id);
  auto updated = only_entry(app, token, "organization.updated");
  CHECK(updated.at("entityType").as_string() == "organization");
  CHECK(updated.at("entityId").as_string() == org);
  CHECK(updated.at("actorId").as_string() == admin.user_id);
  CHECK(updated.at("requestId").as_string() == request_id);
  CHECK(updated.at("before") == before);
  CHECK(updated.at("after") == patched.json());
  CHECK(writer_of(app, "compliance.audit_logs", "id", std::string(updated.at("id").as_string())) ==
        writer_of(app, "organization.organizations", "id", org));

  // PUT settings, with a request id the server generates.
  auto settings_before = app.http().get(k_settings, token).json();
  json::object settings{{"baseCurrency", "GBP"},
                        {"requireDistinctApprover", false},
                        {"kycRequiredForPayroll", true},
                        {"maxNetPerEmployee", 900000},
                        {"timezone", "Europe/London"}};
  auto replaced = app.http().put(k_settings, settings, token);
  INFO(replaced.body);
  REQUIRE(replaced.status == 200);
  auto generated_id = replaced.header("x-request-id");
  REQUIRE(generated_id);
  auto settings_entry = only_entry(app, token, "organization.settings_updated");
  CHECK(settings_entry.at("entityType").as_string() == "organization_settings");
  CHECK(settings_entry.at("entityId").as_string() == org);
  CHECK(settings_entry.at("requestId").as_string() == *generated_id);
  CHECK(settings_entry.at("before") == settings_before);
  CHECK(settings_entry.at("after") == replaced.json());
  CHECK(writer_of(app, "compliance.audit_logs", "id",
                  std::string(settings_entry.at("id").as_string())) ==
        writer_of(app, "organization.organization_settings", "organization_id", org));

  CHECK(entry_count(app, org) == 5);
}

TEST_CASE("audit: a change that fails or changes nothing leaves no entry and no gap", "[e2e]") {
  TestApp app("audit_trail_failures");
  auto admin = app.signup("audit-trail-fail");
  auto rival = app.signup("audit-trail-rival");
  auto employee = app.add_user(admin, "audit-trail-employee", "EMPLOYEE");
  const auto& org = admin.organization_id;
  const auto& token = admin.access_token;
  auto& http = app.http();

  auto organization = http.get(k_organization, token).json().as_object();
  auto settings = http.get(k_settings, token).json().as_object();
  const std::string rival_name(
      http.get(k_organization, rival.access_token).json().at("name").as_string());
  const auto entries_before = entry_count(app, org);
  const auto head_before = sealed_head(app, token, org);
  REQUIRE(head_before == std::to_string(entries_before));

  auto bad_settings = settings;
  bad_settings["baseCurrency"] = "XYZ";
  struct Attempt {
    std::string what;
    int status;
    HttpResponse response;
  };
  const std::vector<Attempt> attempts{
      {"bad country", 400, http.patch(k_organization, {{"country", "nl"}}, token)},
      {"name taken", 409,
       http.patch(k_organization, {{"name", rival_name}, {"country", "NL"}}, token)},
      {"not an admin", 403, http.patch(k_organization, {{"country", "NL"}}, employee.access_token)},
      {"no token", 401, http.patch(k_organization, {{"country", "NL"}})},
      {"unknown currency", 400, http.put(k_settings, bad_settings, token)},
  };
  for (const auto& attempt : attempts) {
    INFO(attempt.what << ": " << attempt.response.body);
    CHECK(attempt.response.status == attempt.status);
  }
  // Accepted, but nothing changes: nothing to audit.
  const std::vector<std::pair<std::string, HttpResponse>> no_ops{
      {"empty patch", http.patch(k_organization, json::object{}, token)},
      {"same name", http.patch(k_organization, {{"name", organization.at("name")}}, token)},
      {"same settings", http.put(k_settings, settings, token)},
  };
  for (const auto& [what, response] : no_ops) {
    INFO(what << ": " << response.body);
    CHECK(response.status == 200);
  }
  CHECK(entry_count(app, org) == entries_before);
  CHECK(sealed_head(app, token, org) == head_before);
  CHECK(http.get(k_organization, token).json().as_object() == organization);

  // The next real change takes the very next seq, and the chain verifies.
  REQUIRE(http.patch(k_organization, {{"country", "NL"}}, token).status == 200);
  auto next = only_entry(app, token, "organization.updated");
  CHECK(next.at("seq").as_int64() == entries_before + 1);
  auto verdict = http.get("/api/v1/audit-logs/verify", token).json();
  CHECK(verdict.at("ok").as_bool());
  CHECK(verdict.at("checked").as_int64() == entries_before + 1);
}

TEST_CASE("audit: concurrent PATCHes are each audited once, in the order they took effect",
          "[e2e]") {
  TestApp app("audit_trail_concurrent");
  auto admin = app.signup("audit-concurrent");
  constexpr int k_writers = 12;

  std::vector<int> statuses(k_writers);
  std::vector<std::thread> writers;
  for (int i = 0; i < k_writers; ++i)
    writers.emplace_back([&app, &statuses, &admin, i] {
      auto client = app.new_client();
      json::object patch{{"taxId", fmt::format("TAX-{:02}", i)}};
      statuses[static_cast<std::size_t>(i)] =
          client.patch(k_organization, patch, admin.access_token).status;
    });
  for (auto& writer : writers) writer.join();
  CHECK(statuses == std::vector<int>(k_writers, 200));

  auto listed =
      app.http().get("/api/v1/audit-logs?action=organization.updated", admin.access_token);
  REQUIRE(listed.status == 200);
  auto entries = listed.json().at("data").as_array();  // newest first
  REQUIRE(entries.size() == k_writers);
  std::set<std::string> tax_ids;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO(json::serialize(entries[i]));
    tax_ids.emplace(entries[i].at("after").at("taxId").as_string());
    // Each change saw the state the one sealed just before it left: the chain's order is the
    // order in which the changes took effect.
    if (i + 1 < entries.size()) CHECK(entries[i].at("before") == entries[i + 1].at("after"));
  }
  CHECK(tax_ids.size() == k_writers);
  CHECK(entries.front().at("after") == app.http().get(k_organization, admin.access_token).json());

  auto verdict = app.http().get("/api/v1/audit-logs/verify", admin.access_token).json();
  CHECK(verdict.at("ok").as_bool());
  CHECK(verdict.at("checked").as_int64() == k_writers + 3);  // and the signup's three
}
