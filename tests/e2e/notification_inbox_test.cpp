// GET /api/v1/notifications and POST /api/v1/notifications/{id}/read against the real server:
// the invitation notice reaches the invitee (and only them), reading it moves it out of the
// unread view once, and the inbox pages newest first.
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "test_app.hpp"

namespace {

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

constexpr auto k_path = "/api/v1/notifications";

std::string read_path(const std::string& id) {
  return fmt::format("{}/{}/read", k_path, id);
}

HttpResponse mark_read(TestApp& app, const std::string& id, const std::string& token) {
  return app.http().request("POST", read_path(id), "", {}, token);
}

json::array inbox(TestApp& app, const std::string& token, const std::string& query = "") {
  auto response = app.http().get(std::string(k_path) + query, token);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json().at("data").as_array();
}

std::vector<std::string> ids_of(const json::array& notices) {
  std::vector<std::string> ids;
  for (const auto& notice : notices) ids.emplace_back(notice.at("id").as_string());
  return ids;
}

// Every notice of the inbox for `query`, following nextCursor with pages of `limit`.
std::vector<std::string> all_ids(TestApp& app, const std::string& token, const std::string& query,
                                 int limit) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto target = fmt::format("{}?limit={}{}", k_path, limit, query);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto response = app.http().get(target, token);
    INFO(target << " -> " << response.body);
    REQUIRE(response.status == 200);
    auto body = response.json().as_object();
    auto page_ids = ids_of(body.at("data").as_array());
    REQUIRE(page_ids.size() <= static_cast<std::size_t>(limit));
    ids.insert(ids.end(), page_ids.begin(), page_ids.end());
    if (body.at("nextCursor").is_null()) return ids;
    cursor = std::string(body.at("nextCursor").as_string());
  }
  FAIL("the cursor never ended");
  return ids;
}

void require_problem(const HttpResponse& response, int status, std::string_view code,
                     const std::string& field = "") {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == status);
  auto body = response.json().as_object();
  REQUIRE(body.at("code").as_string() == code);
  if (!field.empty()) {
    std::set<std::string> fields;
    for (const auto& error : body.at("errors").as_array())
      fields.insert(std::string(error.at("field").as_string()));
    CHECK(fields == std::set<std::string>{field});
  }
}

}  // namespace

TEST_CASE("notification: the invitee alone gets the invitation and its first read time stays",
          "[e2e]") {
  TestApp app("notification_inbox");
  auto admin = app.signup("notify-admin");
  auto& http = app.http();

  // Invite by hand, to know the invitation token the notice must never carry.
  const std::string email = "notify-invitee-" + admin.organization_id.substr(0, 8) + "@example.com";
  auto invited = http.post(
      "/api/v1/users",
      {{"email", email}, {"firstName", "Ina"}, {"lastName", "Vitee"}, {"role", "FINANCE_MANAGER"}},
      admin.access_token);
  INFO(invited.body);
  REQUIRE(invited.status == 201);
  const std::string invitation_token(invited.json().at("invitation").at("token").as_string());
  auto accepted = http.post("/api/v1/auth/invitations/accept",
                            {{"token", invitation_token}, {"password", "a long enough password"}});
  INFO(accepted.body);
  REQUIRE(accepted.status == 200);
  const std::string token(accepted.json().at("accessToken").as_string());

  auto listed = http.get(k_path, token);
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(invitation_token) == std::string::npos);
  CHECK(listed.json().at("nextCursor").is_null());
  const auto notices = listed.json().at("data").as_array();
  REQUIRE(notices.size() == 1);
  const auto notice = notices[0].as_object();
  const std::string id(notice.at("id").as_string());
  CHECK(notice.at("eventType").as_string() == "user.invited");
  CHECK(!notice.at("title").as_string().empty());
  CHECK(!notice.at("body").as_string().empty());
  CHECK(notice.at("data").at("role").as_string() == "FINANCE_MANAGER");
  CHECK(notice.at("readAt").is_null());
  CHECK(notice.at("createdAt").is_string());

  // The admin of the same organisation neither sees nor reads it: it is not theirs.
  CHECK(ids_of(inbox(app, admin.access_token)).empty());
  require_problem(mark_read(app, id, admin.access_token), 404, "not_found");
  CHECK(app.sql().scalar("SELECT read_at IS NULL FROM notification.notifications WHERE id = $1",
                         {id}) == "t");

  CHECK(ids_of(inbox(app, token, "?unread=true")) == std::vector<std::string>{id});
  auto read = mark_read(app, id, token);
  INFO(read.body);
  REQUIRE(read.status == 200);
  CHECK(read.json().at("id").as_string() == id);
  CHECK(read.json().at("eventType") == notice.at("eventType"));
  const auto read_at = read.json().at("readAt");
  REQUIRE(read_at.is_string());

  CHECK(inbox(app, token, "?unread=true").empty());
  auto all = inbox(app, token, "?unread=false");
  REQUIRE(all.size() == 1);
  CHECK(all[0].at("readAt") == read_at);
  CHECK(inbox(app, token).at(0).at("readAt") == read_at);

  // Reading again answers the notice with its first read time.
  auto again = mark_read(app, id, token);
  REQUIRE(again.status == 200);
  CHECK(again.json().at("readAt") == read_at);
}

TEST_CASE("notification: the inbox pages newest first, bad parameters are 400s, unknown ids 404",
          "[e2e]") {
  TestApp app("notification_pages");
  auto admin = app.signup("notify-pages");
  auto member = app.add_user(admin, "notify-pages-hr", "HR_MANAGER");  // one invitation notice
  const auto& token = member.access_token;

  // Older notices of the member, every other one read, and one of the admin's.
  for (int i = 1; i <= 6; ++i)
    app.sql().exec(
        "INSERT INTO notification.notifications (organization_id, user_id, event_type, title, "
        "body, data, read_at, created_at) VALUES ($1, $2, 'payroll.payslip.available', $3, "
        "'Your payslip is ready.', $4::jsonb, CASE WHEN $5::int % 2 = 0 THEN now() END, "
        "now() - make_interval(mins => $5::int))",
        {admin.organization_id, member.user_id, "Payslip " + std::to_string(i),
         fmt::format(R"({{"n":{}}})", i), std::to_string(i)});
  app.sql().exec(
      "INSERT INTO notification.notifications (organization_id, user_id, event_type, title, "
      "body) VALUES ($1, $2, 'user.invited', 'Not yours', 'Not yours')",
      {admin.organization_id, admin.user_id});

  auto expected = [&](const std::string& condition) {
    std::vector<std::string> ids;
    for (const auto& row :
         app.sql().rows("SELECT id::text FROM notification.notifications WHERE user_id = $1 AND " +
                            condition + " ORDER BY created_at DESC, id DESC",
                        {member.user_id}))
      ids.push_back(*row[0]);
    return ids;
  };
  auto everything = expected("true");
  REQUIRE(everything.size() == 7);
  auto unread = expected("read_at IS NULL");
  REQUIRE(unread.size() == 4);

  for (int limit : {1, 2, 3, 7, 200}) {
    INFO("limit " << limit);
    CHECK(all_ids(app, token, "", limit) == everything);
    CHECK(all_ids(app, token, "&unread=true", limit) == unread);
  }
  auto first = inbox(app, token, "?limit=3");
  CHECK(first.size() == 3);
  CHECK(first[0].at("eventType").as_string() == "user.invited");  // the newest
  CHECK(first[1].at("data").at("n").as_int64() == 1);

  auto& http = app.http();
  require_problem(http.get(std::string(k_path) + "?unread=yes", token), 400, "validation_failed",
                  "unread");
  require_problem(http.get(std::string(k_path) + "?limit=0", token), 400, "validation_failed",
                  "limit");
  require_problem(http.get(std::string(k_path) + "?limit=201", token), 400, "validation_failed",
                  "limit");
  require_problem(http.get(std::string(k_path) + "?cursor=bogus", token), 400, "validation_failed",
                  "cursor");
  require_problem(mark_read(app, "6f1c2a34-9b7e-4d21-8c3f-0a1b2c3d4e5f", token), 404, "not_found");
  require_problem(http.get(k_path), 401, "unauthorized");
  require_problem(mark_read(app, everything[0], ""), 401, "unauthorized");
  CHECK(expected("read_at IS NULL") == unread);  // nothing was marked on the way
}
