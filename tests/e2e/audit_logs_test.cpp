// GET /api/v1/audit-logs against the real server, after a scripted session of audited changes:
// every filter answers exactly the rows the same condition selects in SQL, pages follow the
// cursor without gaps or repeats, bad parameters are 400s naming them, roles are enforced, and
// another organisation sees none of it.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::problem_fields;

using payrollx::test::HttpResponse;
using payrollx::test::SignedUp;
using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/audit-logs";

// An organisation after one audited change of every kind the platform has so far.
struct Session {
  SignedUp admin;
  SignedUp second_admin;
  SignedUp finance;
  SignedUp employee;
};

Session scripted_session(TestApp& app, const std::string& who) {
  Session s;
  s.admin = app.signup(who);  // organization.created, wallet.opened (the treasury), user.signed_up
  s.second_admin = app.add_user(s.admin, who + "-admin2", "ORG_ADMIN");  // user.invited
  s.finance = app.add_user(s.admin, who + "-finance", "FINANCE_MANAGER");
  s.employee = app.add_user(s.admin, who + "-employee", "EMPLOYEE");
  auto& http = app.http();
  REQUIRE(
      http.patch("/api/v1/organization", {{"country", "FR"}}, s.second_admin.access_token).status ==
      200);  // organization.updated
  json::object settings{{"baseCurrency", "EUR"},
                        {"requireDistinctApprover", true},
                        {"kycRequiredForPayroll", false},
                        {"timezone", "Europe/Paris"}};
  REQUIRE(http.put("/api/v1/organization/settings", settings, s.admin.access_token).status ==
          200);  // organization.settings_updated
  REQUIRE(http.patch("/api/v1/users/" + s.employee.user_id, {{"role", "HR_MANAGER"}},
                     s.admin.access_token)
              .status == 200);  // user.updated
  return s;
}

HttpResponse list(TestApp& app, const std::string& token, const std::string& query) {
  return app.http().get(std::string(k_path) + (query.empty() ? "" : "?" + query), token);
}

// Every entry the list answers for `query`, following nextCursor, in the order given.
std::vector<json::object> all_entries(TestApp& app, const std::string& token,
                                      const std::string& query, int limit = 200) {
  std::vector<json::object> entries;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto target = fmt::format("{}{}limit={}", query, query.empty() ? "" : "&", limit);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto response = list(app, token, target);
    INFO(target << " -> " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    auto body = response.json().as_object();
    const auto& data = body.at("data").as_array();
    REQUIRE(data.size() <= static_cast<std::size_t>(limit));
    for (const auto& entry : data) entries.push_back(entry.as_object());
    if (body.at("nextCursor").is_null()) return entries;
    REQUIRE(data.size() == static_cast<std::size_t>(limit));  // a next page only after a full one
    cursor = std::string(body.at("nextCursor").as_string());
  }
  FAIL("the cursor never ended");
  return entries;
}

std::vector<std::string> ids_of(const std::vector<json::object>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) ids.emplace_back(entry.at("id").as_string());
  return ids;
}

// The ids of the organisation's sealed entries matching `condition` in SQL, newest (highest seq)
// first. (The list seals what is queued: call it first.)
std::vector<std::string> sql_ids(TestApp& app, const std::string& organization_id,
                                 const std::string& condition,
                                 const std::vector<std::string>& params = {}) {
  std::vector<std::string> all_params{organization_id};
  all_params.insert(all_params.end(), params.begin(), params.end());
  std::vector<std::string> ids;
  for (const auto& row :
       app.sql().rows("SELECT e.id::text FROM compliance.audit_logs e JOIN compliance.audit_seals "
                      "s ON s.organization_id = e.organization_id AND s.entry_id = e.id WHERE "
                      "e.organization_id = $1 AND (" +
                          condition + ") ORDER BY s.seq DESC",
                      all_params))
    ids.push_back(*row[0]);
  return ids;
}

}  // namespace

TEST_CASE("audit: the list answers every entry newest first, each filter as SQL would", "[e2e]") {
  TestApp app("audit_logs_filters");
  auto s = scripted_session(app, "audit-filters");
  const auto& org = s.admin.organization_id;
  const auto& token = s.finance.access_token;  // FINANCE_MANAGER may read the log

  auto everything = all_entries(app, token, "");
  REQUIRE(everything.size() == 9);
  CHECK(ids_of(everything) == sql_ids(app, org, "true"));
  for (std::size_t i = 0; i < everything.size(); ++i) {
    const auto& entry = everything[i];
    INFO(json::serialize(entry));
    CHECK(entry.at("seq").as_int64() == static_cast<std::int64_t>(everything.size() - i));
    CHECK(entry.at("hash").as_string().size() == 64);
    CHECK(entry.at("createdAt").is_string());
    CHECK(entry.at("requestId").is_string());
  }
  const std::vector<std::string> actions_oldest_first{
      "organization.created", "wallet.opened",
      "user.signed_up",       "user.invited",
      "user.invited",         "user.invited",
      "organization.updated", "organization.settings_updated",
      "user.updated"};
  std::vector<std::string> actions;
  for (auto it = everything.rbegin(); it != everything.rend(); ++it)
    actions.emplace_back(it->at("action").as_string());
  CHECK(actions == actions_oldest_first);

  auto updated = all_entries(app, token, "action=organization.updated");
  REQUIRE(updated.size() == 1);
  CHECK(updated[0].at("actorId").as_string() == s.second_admin.user_id);
  CHECK(updated[0].at("entityType").as_string() == "organization");
  CHECK(updated[0].at("entityId").as_string() == org);
  CHECK(updated[0].at("before").at("country").is_null());
  CHECK(updated[0].at("after").at("country").as_string() == "FR");

  // The time of seq 5 (an invitation, alone in its transaction) for the time filters.
  const std::string middle(everything[4].at("createdAt").as_string());

  struct Filter {
    std::string query;
    std::string condition;
    std::vector<std::string> params;
    std::size_t expected;
  };
  const std::vector<Filter> filters{
      {"entityType=user", "entity_type = 'user'", {}, 5},
      {"entityType=organization_settings", "entity_type = 'organization_settings'", {}, 1},
      {"entityId=" + s.employee.user_id, "entity_id = $2::uuid", {s.employee.user_id}, 2},
      {"actorId=" + s.second_admin.user_id, "actor_id = $2::uuid", {s.second_admin.user_id}, 1},
      {"actorId=" + s.admin.user_id, "actor_id = $2::uuid", {s.admin.user_id}, 8},
      {"action=user.invited", "action = 'user.invited'", {}, 3},
      {"action=no.such.action", "false", {}, 0},
      {"from=" + middle, "created_at >= $2::timestamptz", {middle}, 5},
      {"to=" + middle, "created_at <= $2::timestamptz", {middle}, 5},
      {"from=" + middle + "&to=" + middle, "created_at = $2::timestamptz", {middle}, 1},
      // The same instant written with an offset ("+" percent-encoded, as in any query string).
      {"from=" + middle.substr(0, middle.size() - 1) + "%2B00:00",
       "created_at >= $2::timestamptz",
       {middle},
       5},
      {"entityType=user&action=user.invited&entityId=" + s.finance.user_id,
       "entity_type = 'user' AND action = 'user.invited' AND entity_id = $2::uuid",
       {s.finance.user_id},
       1},
  };
  for (const auto& filter : filters) {
    INFO(filter.query);
    auto answered = ids_of(all_entries(app, token, filter.query));
    CHECK(answered == sql_ids(app, org, filter.condition, filter.params));
    CHECK(answered.size() == filter.expected);
  }
}

TEST_CASE("audit: the list pages with limit and cursor, filters kept, no gap or repeat", "[e2e]") {
  TestApp app("audit_logs_pages");
  auto s = scripted_session(app, "audit-pages");
  const auto& token = s.admin.access_token;

  auto expected = ids_of(all_entries(app, token, ""));
  REQUIRE(expected.size() == 9);
  for (int limit : {1, 3, 8, 9}) {
    INFO("limit " << limit);
    CHECK(ids_of(all_entries(app, token, "", limit)) == expected);
  }
  auto users = ids_of(all_entries(app, token, "entityType=user"));
  CHECK(ids_of(all_entries(app, token, "entityType=user", 2)) == users);

  // The default page holds everything here, and says there is no more.
  auto first = list(app, token, "");
  REQUIRE(first.status == 200);
  CHECK(first.json().at("data").as_array().size() == 9);
  CHECK(first.json().at("nextCursor").is_null());
}

TEST_CASE("audit: bad list parameters are 400s naming each parameter", "[e2e]") {
  TestApp app("audit_logs_bad_parameters");
  auto admin = app.signup("audit-bad-params");
  const std::vector<std::pair<std::string, std::set<std::string>>> cases{
      {"limit=0", {"limit"}},
      {"limit=201", {"limit"}},
      {"limit=ten", {"limit"}},
      {"cursor=not-a-cursor", {"cursor"}},
      {"entityId=42", {"entityId"}},
      {"actorId=not-a-uuid", {"actorId"}},
      {"from=yesterday", {"from"}},
      {"to=2026-13-01T00:00:00Z", {"to"}},
      {"entityType=", {"entityType"}},
      {"action=" + std::string(201, 'a'), {"action"}},
      {"entityId=x&actorId=y&from=z&to=w", {"entityId", "actorId", "from", "to"}},
  };
  for (const auto& [query, fields] : cases) {
    INFO(query);
    CHECK(problem_fields(list(app, admin.access_token, query), 400, "validation_failed") == fields);
  }
}

TEST_CASE("audit: FINANCE and ORG_ADMIN read the list, other roles get 403, no token 401",
          "[e2e]") {
  TestApp app("audit_logs_roles");
  auto admin = app.signup("audit-roles");
  auto hr = app.add_user(admin, "audit-roles-hr", "HR_MANAGER");
  auto employee = app.add_user(admin, "audit-roles-employee", "EMPLOYEE");
  auto finance = app.add_user(admin, "audit-roles-finance", "FINANCE_MANAGER");

  CHECK(list(app, admin.access_token, "").status == 200);
  CHECK(list(app, finance.access_token, "").status == 200);
  CHECK(problem_fields(list(app, hr.access_token, ""), 403, "forbidden").empty());
  CHECK(problem_fields(list(app, employee.access_token, ""), 403, "forbidden").empty());
  CHECK(problem_fields(list(app, "", ""), 401, "unauthorized").empty());
  CHECK(problem_fields(list(app, "garbage", ""), 401, "unauthorized").empty());
}

TEST_CASE("audit: another organisation lists only its own entries, whatever it asks", "[e2e]") {
  TestApp app("audit_logs_isolation");
  auto a = scripted_session(app, "audit-iso-a");
  auto b = app.signup("audit-iso-b");
  const auto& token = b.access_token;

  auto a_ids = sql_ids(app, a.admin.organization_id, "true");
  auto b_entries = ids_of(all_entries(app, token, ""));
  CHECK(b_entries == sql_ids(app, b.organization_id, "true"));
  CHECK(b_entries.size() == 3);  // its own signup only

  for (const auto& query :
       {"actorId=" + a.admin.user_id, "entityId=" + a.employee.user_id,
        "entityId=" + a.admin.organization_id, std::string("action=organization.updated")}) {
    INFO(query);
    CHECK(all_entries(app, token, query).empty());
  }

  // A's cursor gives B nothing of A's.
  auto a_page = list(app, a.admin.access_token, "limit=2");
  REQUIRE(a_page.status == 200);
  const std::string a_cursor(a_page.json().at("nextCursor").as_string());
  auto with_a_cursor = list(app, token, "cursor=" + a_cursor);
  INFO(with_a_cursor.body);
  REQUIRE((with_a_cursor.status == 200 || with_a_cursor.status == 400));
  for (const auto& id : a_ids) CHECK(with_a_cursor.body.find(id) == std::string::npos);
}
