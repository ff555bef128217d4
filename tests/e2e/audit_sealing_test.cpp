// The audit chain sealed after commit, with the real binary: a server killed between its commits
// and their seals loses no entry and reorders none (another instance's sweep seals them), and two
// instances writing at once chain every entry exactly once.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <future>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "parallel.hpp"
#include "test_app.hpp"

namespace {

using namespace payrollx::test;
using namespace std::chrono_literals;
namespace json = boost::json;

constexpr auto k_organization = "/api/v1/organization";

long long count_of(TestApp& app, const std::string& table, const std::string& organization_id) {
  return app.sql().count("SELECT count(*) FROM " + table + " WHERE organization_id = $1",
                         {organization_id});
}

// A second instance on the test's database, with the same secret and settings as the first.
ServerSettings second_instance(const TestApp& app) {
  return {.database_url = app.database_url(), .env = {{"PAYROLLX_JOBS_INTERVAL_MS", "3600000"}}};
}

// The organisation's entries through the API, oldest first.
std::vector<json::object> chain_of(HttpClient& http, const std::string& token) {
  auto response = http.get("/api/v1/audit-logs?limit=100", token);
  REQUIRE(response.status == 200);
  const auto answer = response.json();
  std::vector<json::object> entries;
  for (const auto& entry : answer.at("data").as_array())
    entries.insert(entries.begin(), entry.as_object());
  return entries;
}

}  // namespace

TEST_CASE("audit: a server killed between its commits and their seals loses no entry", "[e2e]") {
  // The first instance never seals on its own: its entries stay queued until it is killed.
  TestApp app("audit_killed", {.env = {{"PAYROLLX_AUDIT_SEAL_DELAY_MS", "600000"},
                                       {"PAYROLLX_AUDIT_SEAL_SWEEP_MS", "600000"}}});
  auto admin = app.signup("audit-killed");
  const auto& org = admin.organization_id;
  const std::vector<std::string> countries{"FR", "DE", "ES", "IT", "PT", "NL", "BE", "AT"};
  for (const auto& country : countries)
    REQUIRE(app.http().patch(k_organization, {{"country", country}}, admin.access_token).status ==
            200);
  const auto entries = count_of(app, "compliance.audit_logs", org);
  REQUIRE(entries == 3 + static_cast<long long>(countries.size()));
  // Committed, answered, and not sealed.
  CHECK(count_of(app, "compliance.audit_unsealed", org) == entries);
  CHECK(count_of(app, "compliance.audit_seals", org) == 0);

  CHECK(app.server().stop(SIGKILL) == 128 + SIGKILL);
  ServerProcess second(second_instance(app));
  // Its sweep seals them, without any reader asking.
  CHECK(eventually([&] { return count_of(app, "compliance.audit_unsealed", org) == 0; }, 10s));
  CHECK(count_of(app, "compliance.audit_seals", org) == entries);

  HttpClient http(second.port());
  auto verdict = http.get("/api/v1/audit-logs/verify", admin.access_token).json();
  CHECK(verdict.at("ok").as_bool());
  CHECK(verdict.at("checked").as_int64() == entries);
  // In the order the changes were made.
  auto chain = chain_of(http, admin.access_token);
  REQUIRE(chain.size() == static_cast<std::size_t>(entries));
  for (std::size_t i = 0; i < chain.size(); ++i)
    CHECK(chain[i].at("seq").as_int64() == static_cast<std::int64_t>(i + 1));
  CHECK(chain[0].at("action").as_string() == "organization.created");
  for (std::size_t i = 0; i < countries.size(); ++i) {
    const auto& updated = chain[3 + i];
    CHECK(updated.at("action").as_string() == "organization.updated");
    CHECK(updated.at("after").at("country").as_string() == countries[i]);
  }
}

TEST_CASE("audit: two instances writing at once chain every entry exactly once", "[e2e]") {
  TestApp app("audit_two_instances");
  ServerProcess second(second_instance(app));
  auto admin = app.signup("audit-two");
  const auto& org = admin.organization_id;
  // Every request renames the organisation to a name of its own: each is a change, audited.
  auto rename = [&](const std::string& instance) {
    return [&, instance](HttpClient& http, int i) {
      return http.patch(k_organization, {{"name", "Renamed " + instance + std::to_string(i)}},
                        admin.access_token);
    };
  };
  auto on_second =
      std::async(std::launch::async, [&] { return in_parallel(second.port(), 20, rename("b")); });
  auto first = in_parallel(app.server().port(), 20, rename("a"));
  auto answered = statuses(first);
  for (auto [status, n] : statuses(on_second.get())) answered[status] += n;
  INFO("200: " << answered[200]);
  CHECK(answered[200] == 40);

  const long long entries = 3 + answered[200];
  CHECK(count_of(app, "compliance.audit_logs", org) == entries);
  CHECK(eventually([&] { return count_of(app, "compliance.audit_unsealed", org) == 0; }, 10s));
  CHECK(app.sql().scalar("SELECT (min(seq) = 1 AND max(seq) = count(*) AND count(*) = $2 AND "
                         "count(DISTINCT entry_id) = count(*))::text "
                         "FROM compliance.audit_seals WHERE organization_id = $1",
                         {org, std::to_string(entries)}) == "true");
  auto verdict = app.http().get("/api/v1/audit-logs/verify", admin.access_token).json();
  CHECK(verdict.at("ok").as_bool());
  CHECK(verdict.at("checked").as_int64() == entries);
}
