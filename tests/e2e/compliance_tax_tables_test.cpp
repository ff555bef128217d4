// POST and GET /api/v1/compliance/tax-tables against the real server: a created table comes
// back as sent, the list pages newest first and its effectiveOn filter answers the table in
// effect per currency (the rule the payroll withholds by), every invalid field is named, roles
// are enforced, another organisation sees nothing, and each creation is audited in its own
// transaction (a refused one leaves neither rows nor an entry).
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

constexpr auto k_path = "/api/v1/compliance/tax-tables";

json::object bracket(std::int64_t up_to, std::int64_t rate) {
  return {{"upTo", up_to}, {"rateBasisPoints", rate}};
}
json::object last_bracket(std::int64_t rate) {
  return {{"rateBasisPoints", rate}};
}

// 10% to 10,000.00, 20% to 40,000.00, 30% above; 12,000.00 standard deduction.
json::object table_body(const std::string& name, const std::string& currency,
                        const std::string& effective_from) {
  return {
      {"name", name},
      {"currency", currency},
      {"effectiveFrom", effective_from},
      {"brackets", json::array{bracket(1000000, 1000), bracket(4000000, 2000), last_bracket(3000)}},
      {"standardDeduction", 1200000}};
}

std::string create(TestApp& app, const std::string& token, const json::object& body) {
  auto response = app.http().post(k_path, body, token);
  INFO(response.body);
  REQUIRE(response.status == 201);
  return std::string(response.json().at("id").as_string());
}

HttpResponse list(TestApp& app, const std::string& token, const std::string& query) {
  return app.http().get(std::string(k_path) + (query.empty() ? "" : "?" + query), token);
}

// The ids the list answers for `query`, following nextCursor, in the order given.
std::vector<std::string> listed(TestApp& app, const std::string& token, const std::string& query,
                                int limit = 200) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 50; ++page) {
    auto target = fmt::format("{}{}limit={}", query, query.empty() ? "" : "&", limit);
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto response = list(app, token, target);
    INFO(target << " -> " << response.status << " " << response.body);
    REQUIRE(response.status == 200);
    auto body = response.json().as_object();
    for (const auto& table : body.at("data").as_array())
      ids.emplace_back(table.at("id").as_string());
    if (body.at("nextCursor").is_null()) return ids;
    cursor = std::string(body.at("nextCursor").as_string());
  }
  FAIL("the cursor never ended");
  return ids;
}

long long table_rows(TestApp& app) {
  return app.sql().count("SELECT count(*) FROM compliance.tax_tables");
}

long long audit_entries(TestApp& app, const std::string& action) {
  return app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = $1", {action});
}

}  // namespace

TEST_CASE("compliance tax tables: a created table is answered as sent and stored", "[e2e]") {
  TestApp app("tax_tables_create");
  auto admin = app.signup("tax-create");
  auto finance = app.add_user(admin, "tax-create-finance", "FINANCE_MANAGER");

  auto response = app.http().post(k_path, table_body("Federal 2026", "USD", "2026-01-01"),
                                  finance.access_token);
  INFO(response.body);
  REQUIRE(response.status == 201);
  auto table = response.json().as_object();
  CHECK(table.size() == 7);
  CHECK(table.at("id").as_string().size() == 36);
  CHECK(table.at("name").as_string() == "Federal 2026");
  CHECK(table.at("currency").as_string() == "USD");
  CHECK(table.at("effectiveFrom").as_string() == "2026-01-01");
  CHECK(table.at("standardDeduction").as_int64() == 1200000);
  CHECK(table.at("createdAt").as_string().ends_with("Z"));
  const json::array expected_brackets{bracket(1000000, 1000), bracket(4000000, 2000),
                                      json::object{{"upTo", nullptr}, {"rateBasisPoints", 3000}}};
  CHECK(table.at("brackets").as_array() == expected_brackets);

  const std::string id(table.at("id").as_string());
  auto rows = app.sql().rows(
      "SELECT position::text, up_to::text, rate_basis_points::text FROM compliance.tax_brackets "
      "WHERE table_id = $1 ORDER BY position",
      {id});
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == payrollx::test::Sql::Row{"0", "1000000", "1000"});
  CHECK(rows[1] == payrollx::test::Sql::Row{"1", "4000000", "2000"});
  CHECK(rows[2] == payrollx::test::Sql::Row{"2", std::nullopt, "3000"});
  CHECK(app.sql().scalar("SELECT created_by::text FROM compliance.tax_tables WHERE id = $1 AND "
                         "organization_id = $2",
                         {id, admin.organization_id}) == finance.user_id);

  // The list answers the same document.
  auto listed_now = list(app, finance.access_token, "");
  REQUIRE(listed_now.status == 200);
  REQUIRE(listed_now.json().at("data").as_array().size() == 1);
  CHECK(listed_now.json().at("data").as_array()[0].as_object() == table);

  // One open bracket (a flat rate), rates at both ends of their range, no standard deduction
  // (default 0), and a null upTo on the last bracket (what the API answers, sent back as is).
  json::object flat{
      {"name", "Flat"},
      {"currency", "SOL"},
      {"effectiveFrom", "2028-02-29"},
      {"brackets", json::array{json::object{{"upTo", nullptr}, {"rateBasisPoints", 0}}}}};
  auto flat_response = app.http().post(k_path, flat, admin.access_token);
  INFO(flat_response.body);
  REQUIRE(flat_response.status == 201);
  CHECK(flat_response.json().at("standardDeduction").as_int64() == 0);
  CHECK(flat_response.json().at("effectiveFrom").as_string() == "2028-02-29");
  json::object full = table_body("Top", "USDC", "2026-01-01");
  full["brackets"] =
      json::array{bracket(1, 0), bracket(9223372036854775806LL, 10000), last_bracket(10000)};
  full["standardDeduction"] = 9223372036854775807LL;
  auto full_response = app.http().post(k_path, full, admin.access_token);
  INFO(full_response.body);
  REQUIRE(full_response.status == 201);
  CHECK(full_response.json().at("brackets").as_array()[1].at("upTo").as_int64() ==
        9223372036854775806LL);
  CHECK(full_response.json().at("standardDeduction").as_int64() == 9223372036854775807LL);
}

TEST_CASE(
    "compliance tax tables: the list pages newest first and effectiveOn answers the table in "
    "effect per currency",
    "[e2e]") {
  TestApp app("tax_tables_list");
  auto admin = app.signup("tax-list");
  const auto& token = admin.access_token;

  const auto usd_2026 = create(app, token, table_body("USD 2026", "USD", "2026-01-01"));
  const auto usd_july = create(app, token, table_body("USD July", "USD", "2026-07-01"));
  const auto eur_2026 = create(app, token, table_body("EUR 2026", "EUR", "2026-03-01"));
  const auto usd_2027 = create(app, token, table_body("USD 2027", "USD", "2027-01-01"));
  // The same effectiveFrom as "USD July", created later: it wins the tie.
  const auto usd_july_fix = create(app, token, table_body("USD July fix", "USD", "2026-07-01"));

  const std::vector<std::string> newest_first{usd_july_fix, usd_2027, eur_2026, usd_july, usd_2026};
  CHECK(listed(app, token, "") == newest_first);
  for (int limit : {1, 2, 4, 5}) {
    INFO("limit " << limit);
    CHECK(listed(app, token, "", limit) == newest_first);
  }
  CHECK(listed(app, token, "currency=USD") ==
        std::vector<std::string>{usd_july_fix, usd_2027, usd_july, usd_2026});
  CHECK(listed(app, token, "currency=EUR") == std::vector<std::string>{eur_2026});
  CHECK(listed(app, token, "currency=GBP").empty());

  struct Case {
    std::string query;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases{
      {"effectiveOn=2025-12-31", {}},
      {"effectiveOn=2026-01-01", {usd_2026}},
      {"effectiveOn=2026-02-28", {usd_2026}},
      {"effectiveOn=2026-03-01", {eur_2026, usd_2026}},
      {"effectiveOn=2026-06-30", {eur_2026, usd_2026}},
      {"effectiveOn=2026-07-01", {usd_july_fix, eur_2026}},
      {"effectiveOn=2026-12-31&currency=USD", {usd_july_fix}},
      {"effectiveOn=2027-01-01&currency=USD", {usd_2027}},
      {"effectiveOn=2030-01-01", {usd_2027, eur_2026}},
      {"effectiveOn=2030-01-01&currency=EUR", {eur_2026}},
      {"effectiveOn=2026-02-01&currency=EUR", {}},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    CHECK(listed(app, token, c.query) == c.expected);
    CHECK(listed(app, token, c.query, 1) == c.expected);
  }

  // Bad parameters are named.
  CHECK(problem_fields(list(app, token, "currency=usd"), 400, "validation_failed") ==
        std::set<std::string>{"currency"});
  CHECK(problem_fields(list(app, token, "effectiveOn=2026-02-30&currency=US"), 400,
                       "validation_failed") == std::set<std::string>{"currency", "effectiveOn"});
  CHECK(problem_fields(list(app, token, "effectiveOn=yesterday"), 400, "validation_failed") ==
        std::set<std::string>{"effectiveOn"});
  CHECK(problem_fields(list(app, token, "limit=0"), 400, "validation_failed").count("limit") == 1);
  CHECK(problem_fields(list(app, token, "cursor=nonsense"), 400, "validation_failed")
            .count("cursor") == 1);
}

TEST_CASE("compliance tax tables: every invalid field is named, and nothing is written", "[e2e]") {
  TestApp app("tax_tables_validation");
  auto admin = app.signup("tax-validation");
  const auto& token = admin.access_token;
  const auto valid = table_body("Valid", "USD", "2026-01-01");

  auto with = [&](std::string_view key, json::value value) {
    auto body = valid;
    body[key] = std::move(value);
    return body;
  };
  auto without = [&](std::string_view key) {
    auto body = valid;
    body.erase(key);
    return body;
  };
  auto brackets = [&](json::array items) { return with("brackets", std::move(items)); };
  json::array fifty_one;
  for (int i = 1; i <= 50; ++i) fifty_one.push_back(bracket(i * 1000, 100));
  fifty_one.push_back(last_bracket(100));
  json::array fifty;
  for (int i = 1; i <= 49; ++i) fifty.push_back(bracket(i * 1000, 100));
  fifty.push_back(last_bracket(100));

  struct Case {
    std::string what;
    json::object body;
    std::set<std::string> fields;
  };
  const std::vector<Case> cases{
      {"empty body", {}, {"name", "currency", "effectiveFrom", "brackets"}},
      {"no name", without("name"), {"name"}},
      {"empty name", with("name", ""), {"name"}},
      {"long name", with("name", json::string(201, 'n')), {"name"}},
      {"name not a string", with("name", 5), {"name"}},
      {"lower-case currency", with("currency", "usd"), {"currency"}},
      {"currency too long", with("currency", "DOLLAR"), {"currency"}},
      {"unknown currency", with("currency", "XYZ"), {"currency"}},
      {"no currency", without("currency"), {"currency"}},
      {"impossible date", with("effectiveFrom", "2026-02-30"), {"effectiveFrom"}},
      {"date as a number", with("effectiveFrom", 20260101), {"effectiveFrom"}},
      {"no effectiveFrom", without("effectiveFrom"), {"effectiveFrom"}},
      {"no brackets", without("brackets"), {"brackets"}},
      {"null brackets", with("brackets", nullptr), {"brackets"}},
      {"empty brackets", brackets({}), {"brackets"}},
      {"51 brackets", brackets(fifty_one), {"brackets"}},
      {"brackets not an array", with("brackets", "10%"), {"brackets"}},
      {"a bracket not an object", brackets({bracket(100, 1000), 5}), {"brackets[1]"}},
      {"a bounded last bracket", brackets({bracket(100, 1000)}), {"brackets[0].upTo"}},
      {"a bounded last bracket after others",
       brackets({bracket(100, 1000), bracket(200, 2000), bracket(300, 3000)}),
       {"brackets[2].upTo"}},
      {"an open middle bracket",
       brackets({bracket(100, 1000), last_bracket(2000), last_bracket(3000)}),
       {"brackets[1].upTo"}},
      {"a null upTo in the middle",
       brackets({json::object{{"upTo", nullptr}, {"rateBasisPoints", 1000}}, last_bracket(3000)}),
       {"brackets[0].upTo"}},
      {"equal bounds",
       brackets({bracket(500, 1000), bracket(500, 2000), last_bracket(3000)}),
       {"brackets[1].upTo"}},
      {"descending bounds",
       brackets({bracket(500, 1000), bracket(400, 2000), last_bracket(3000)}),
       {"brackets[1].upTo"}},
      {"a zero bound", brackets({bracket(0, 1000), last_bracket(3000)}), {"brackets[0].upTo"}},
      {"a negative bound",
       brackets({bracket(-100, 1000), last_bracket(3000)}),
       {"brackets[0].upTo"}},
      {"a bound beyond int64",
       brackets({json::object{{"upTo", 18446744073709551615ULL}, {"rateBasisPoints", 1000}},
                 last_bracket(3000)}),
       {"brackets[0].upTo"}},
      {"a fractional bound",
       brackets({json::object{{"upTo", 100.5}, {"rateBasisPoints", 1000}}, last_bracket(3000)}),
       {"brackets[0].upTo"}},
      {"a rate above 10000",
       brackets({bracket(100, 1000), last_bracket(10001)}),
       {"brackets[1].rateBasisPoints"}},
      {"a negative rate",
       brackets({bracket(100, -1), last_bracket(1000)}),
       {"brackets[0].rateBasisPoints"}},
      {"a rate as a string",
       brackets({bracket(100, 1000), json::object{{"rateBasisPoints", "3000"}}}),
       {"brackets[1].rateBasisPoints"}},
      {"a fractional rate",
       brackets({bracket(100, 1000), json::object{{"rateBasisPoints", 12.5}}}),
       {"brackets[1].rateBasisPoints"}},
      {"no rate",
       brackets({json::object{{"upTo", 100}}, last_bracket(1000)}),
       {"brackets[0].rateBasisPoints"}},
      {"an unknown bracket field",
       brackets({bracket(100, 1000), json::object{{"rateBasisPoints", 2000}, {"rate", 20}}}),
       {"brackets[1].rate"}},
      {"a negative standard deduction", with("standardDeduction", -1), {"standardDeduction"}},
      {"a standard deduction as a string", with("standardDeduction", "100"), {"standardDeduction"}},
      {"an unknown field", with("country", "US"), {"country"}},
      {"several at once",
       [&] {
         auto body = brackets({bracket(100, 10001), last_bracket(1000), bracket(50, 1000)});
         body.erase("name");
         body["standardDeduction"] = -5;
         return body;
       }(),
       {"name", "standardDeduction", "brackets[0].rateBasisPoints", "brackets[1].upTo",
        "brackets[2].upTo"}},
  };
  const auto tables_before = table_rows(app);
  const auto audited_before = audit_entries(app, "tax_table.created");
  for (const auto& c : cases) {
    INFO(c.what << ": " << json::serialize(c.body));
    CHECK(problem_fields(app.http().post(k_path, c.body, token), 400, "validation_failed") ==
          c.fields);
  }
  CHECK(table_rows(app) == tables_before);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.tax_brackets") == 0);
  CHECK(audit_entries(app, "tax_table.created") == audited_before);

  // Not JSON, or not an object: a 400 all the same.
  auto malformed = app.http().request("POST", k_path, "{\"name\":", {}, token);
  CHECK(malformed.status == 400);
  auto array = app.http().request("POST", k_path, "[]", {}, token);
  CHECK(array.status == 400);

  // The limits themselves are accepted: 50 brackets, a 200-character name.
  create(app, token, brackets(fifty));
  create(app, token, with("name", json::string(200, 'n')));
  CHECK(table_rows(app) == tables_before + 2);
}

TEST_CASE("compliance tax tables: FINANCE_MANAGER and ORG_ADMIN only", "[e2e]") {
  TestApp app("tax_tables_roles");
  auto admin = app.signup("tax-roles");
  auto finance = app.add_user(admin, "tax-roles-finance", "FINANCE_MANAGER");
  auto hr = app.add_user(admin, "tax-roles-hr", "HR_MANAGER");
  auto employee = app.add_user(admin, "tax-roles-employee", "EMPLOYEE");
  const auto body = table_body("Roles", "USD", "2026-01-01");

  for (const auto* user : {&hr, &employee}) {
    INFO(user->email);
    CHECK(problem_fields(app.http().post(k_path, body, user->access_token), 403, "forbidden")
              .empty());
    CHECK(problem_fields(list(app, user->access_token, ""), 403, "forbidden").empty());
  }
  CHECK(problem_fields(app.http().post(k_path, body), 401, "unauthorized").empty());
  CHECK(problem_fields(list(app, "", ""), 401, "unauthorized").empty());
  CHECK(table_rows(app) == 0);

  const auto by_finance = create(app, finance.access_token, body);
  const auto by_admin = create(app, admin.access_token, body);
  CHECK(listed(app, finance.access_token, "") == std::vector<std::string>{by_admin, by_finance});
  CHECK(listed(app, admin.access_token, "") == std::vector<std::string>{by_admin, by_finance});
}

TEST_CASE("compliance tax tables: another organisation sees none of them", "[e2e]") {
  TestApp app("tax_tables_tenants");
  auto a = app.signup("tax-tenant-a");
  auto b = app.signup("tax-tenant-b");

  const auto a_usd = create(app, a.access_token, table_body("A USD", "USD", "2026-01-01"));
  const auto a_eur = create(app, a.access_token, table_body("A EUR", "EUR", "2026-01-01"));
  for (const auto& query :
       {std::string(), std::string("currency=USD"), std::string("effectiveOn=2026-06-01"),
        std::string("effectiveOn=2026-06-01&currency=USD")}) {
    INFO(query);
    CHECK(listed(app, b.access_token, query).empty());
  }

  // B's own table, with the same currency and date, changes nothing A sees, and the reverse.
  const auto b_usd = create(app, b.access_token, table_body("B USD", "USD", "2026-01-01"));
  CHECK(listed(app, b.access_token, "") == std::vector<std::string>{b_usd});
  CHECK(listed(app, b.access_token, "effectiveOn=2026-06-01") == std::vector<std::string>{b_usd});
  CHECK(listed(app, a.access_token, "") == std::vector<std::string>{a_eur, a_usd});
  CHECK(listed(app, a.access_token, "effectiveOn=2026-06-01&currency=USD") ==
        std::vector<std::string>{a_usd});

  // A cursor taken from A's list gives B nothing of A's.
  auto a_page = list(app, a.access_token, "limit=1");
  REQUIRE(a_page.status == 200);
  const std::string cursor(a_page.json().at("nextCursor").as_string());
  auto b_page = list(app, b.access_token, "limit=1&cursor=" + cursor);
  REQUIRE(b_page.status == 200);
  const auto b_body = b_page.json();  // a range-for would not keep the temporary alive
  for (const auto& table : b_body.at("data").as_array()) CHECK(table.at("id").as_string() == b_usd);

  CHECK(app.sql().count("SELECT count(*) FROM compliance.tax_tables WHERE organization_id = $1",
                        {a.organization_id}) == 2);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.tax_tables WHERE organization_id = $1",
                        {b.organization_id}) == 1);
}

TEST_CASE("compliance tax tables: creation is audited in its transaction, a refusal is not",
          "[e2e]") {
  TestApp app("tax_tables_audit");
  auto admin = app.signup("tax-audit");
  auto finance = app.add_user(admin, "tax-audit-finance", "FINANCE_MANAGER");

  auto response =
      app.http().post(k_path, table_body("Audited", "EUR", "2026-04-01"), finance.access_token);
  REQUIRE(response.status == 201);
  const auto table = response.json().as_object();
  const std::string id(table.at("id").as_string());

  auto entries =
      app.http().get("/api/v1/audit-logs?action=tax_table.created", finance.access_token);
  INFO(entries.body);
  REQUIRE(entries.status == 200);
  const auto data = entries.json().at("data").as_array();
  REQUIRE(data.size() == 1);
  const auto& entry = data[0].as_object();
  CHECK(entry.at("entityType").as_string() == "tax_table");
  CHECK(entry.at("entityId").as_string() == id);
  CHECK(entry.at("actorId").as_string() == finance.user_id);
  CHECK(entry.at("requestId").as_string() == response.header("x-request-id").value_or("?"));
  CHECK(entry.at("before").is_null());
  CHECK(entry.at("after").as_object() == table);

  // A refusal found only in the database (an unknown currency) rolls everything back.
  auto refused =
      app.http().post(k_path, table_body("Refused", "XYZ", "2026-04-01"), finance.access_token);
  CHECK(problem_fields(refused, 400, "validation_failed") == std::set<std::string>{"currency"});
  CHECK(table_rows(app) == 1);
  CHECK(audit_entries(app, "tax_table.created") == 1);

  auto verify = app.http().get("/api/v1/audit-logs/verify", admin.access_token);
  REQUIRE(verify.status == 200);
  CHECK(verify.json().at("ok").as_bool());
}
