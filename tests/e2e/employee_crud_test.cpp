// Employees one at a time: creation with a wallet (and optionally a portal user), duplicates,
// validation that writes nothing, roles, the list with its filters and pages, audited changes
// and termination.
#include <set>

#include "employee_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::problem_fields;
using payrollx::test::TestApp;

std::set<std::string> ids_of(const payrollx::test::HttpResponse& list) {
  std::set<std::string> ids;
  auto body = list.json();
  for (const auto& item : body.at("data").as_array()) ids.insert(text_at(item, "id"));
  return ids;
}

}  // namespace

TEST_CASE("employee: creation opens a wallet in the salary currency, audited, in one go", "[e2e]") {
  TestApp app("employee_create", unthrottled());
  auto admin = app.signup("emp-create");
  auto hr = app.add_user(admin, "emp-create-hr", "HR_MANAGER");
  auto& http = app.http();

  auto body = new_employee("Lovelace", 7500000, "EUR");
  body["employeeNumber"] = "E-001";
  body["department"] = "Engineering";
  body["position"] = "Analyst";
  body["email"] = "Ada.Lovelace@Staff.Example.com";
  auto employee = create_employee(http, hr.access_token, body);
  const auto id = text_at(employee, "id");
  CHECK(employee.at("email").as_string() == "ada.lovelace@staff.example.com");
  CHECK(employee.at("status").as_string() == "ACTIVE");
  CHECK(employee.at("kycStatus").as_string() == "PENDING");
  CHECK(employee.at("payFrequency").as_string() == "MONTHLY");
  CHECK(employee.at("hireDate").as_string() == "2026-01-15");
  CHECK(employee.at("terminationDate").is_null());
  CHECK(employee.at("userId").is_null());
  CHECK(employee.at("walletAddress").is_null());
  CHECK(employee.at("salary").at("amount").as_int64() == 7500000);
  CHECK(employee.at("salary").at("currency").as_string() == "EUR");
  CHECK(employee.at("salary").at("period").as_string() == "ANNUAL");
  CHECK_FALSE(employee.contains("invitation"));

  // The wallet belongs to the employee, in the salary currency, in the same organisation.
  auto wallet = app.sql().rows(
      "SELECT owner_type, owner_id::text, currency, organization_id::text FROM wallet.wallets "
      "WHERE id = $1",
      {text_at(employee, "walletId")});
  REQUIRE(wallet.size() == 1);
  CHECK(wallet[0][0] == "EMPLOYEE");
  CHECK(wallet[0][1] == id);
  CHECK(wallet[0][2] == "EUR");
  CHECK(wallet[0][3] == admin.organization_id);
  CHECK(audited(app.sql(), "employee.created", id) == 1);

  auto fetched = http.get(employee_path(id), hr.access_token);
  REQUIRE(fetched.status == 200);
  CHECK(fetched.json().as_object() == employee);

  // Duplicates in the organisation: the email (whatever its case) and the employee number.
  auto before = written(app.sql());
  auto same_email = new_employee("Other");
  same_email["email"] = "ADA.LOVELACE@staff.example.com";
  CHECK(problem_fields(http.post(k_employees, same_email, hr.access_token), 409, "conflict") ==
        std::set<std::string>{"email"});
  auto same_number = new_employee("Other");
  same_number["employeeNumber"] = "E-001";
  CHECK(problem_fields(http.post(k_employees, same_number, hr.access_token), 409, "conflict") ==
        std::set<std::string>{"employeeNumber"});
  CHECK(written(app.sql()) == before);

  // Another organisation may use the same email and number.
  auto other_admin = app.signup("emp-create-other");
  auto elsewhere = create_employee(http, other_admin.access_token, body);
  CHECK(elsewhere.at("email").as_string() == "ada.lovelace@staff.example.com");
  require_chain_ok(http, admin.access_token);
}

TEST_CASE("employee: bad bodies answer 400 naming each field and write nothing", "[e2e]") {
  TestApp app("employee_bad_input", unthrottled());
  auto admin = app.signup("emp-bad");
  auto& http = app.http();
  const auto& token = admin.access_token;
  auto before = written(app.sql());

  auto fields = [&](const json::value& body) {
    return problem_fields(http.post(k_employees, body, token), 400, "validation_failed");
  };
  CHECK(fields(json::object{}) ==
        std::set<std::string>{"firstName", "lastName", "email", "hireDate", "salary"});

  auto body = new_employee("Bad");
  body["salary"] = {{"amount", 0}, {"currency", "usd"}, {"period", "YEARLY"}, {"extra", 1}};
  body["email"] = "not-an-email";
  body["hireDate"] = "2026-02-30";
  body["payFrequency"] = "DAILY";
  body["createUserAccount"] = "yes";
  body["unknown"] = true;
  body["firstName"] = std::string(101, 'a');
  body["department"] = 42;
  CHECK(fields(body) == std::set<std::string>{"salary.amount", "salary.currency", "salary.period",
                                              "salary.extra", "email", "hireDate", "payFrequency",
                                              "createUserAccount", "unknown", "firstName",
                                              "department"});

  auto no_salary_object = new_employee("Bad");
  no_salary_object["salary"] = 5000;
  CHECK(fields(no_salary_object) == std::set<std::string>{"salary"});

  // A well-formed but unknown currency, and an amount beyond int64.
  auto unknown_currency = new_employee("Bad", 100, "XYZ");
  CHECK(fields(unknown_currency) == std::set<std::string>{"salary.currency"});
  auto huge = json::parse(R"({"firstName":"A","lastName":"B","email":"a@b.example.com",
      "hireDate":"2026-01-01","salary":{"amount":9223372036854775808,"currency":"USD",
      "period":"ANNUAL"}})");
  CHECK(fields(huge) == std::set<std::string>{"salary.amount"});
  auto fractional = new_employee("Bad");
  fractional["salary"].as_object()["amount"] = 100.5;
  CHECK(fields(fractional) == std::set<std::string>{"salary.amount"});

  require_problem(http.request("POST", k_employees, "{\"a\":", {}, token), 400,
                  "validation_failed");
  require_problem(http.request("POST", k_employees, "{}", {{"Content-Type", "text/plain"}}, token),
                  415, "unsupported_media_type");
  CHECK(written(app.sql()) == before);
}

TEST_CASE("employee: createUserAccount invites an EMPLOYEE user who sees only their record",
          "[e2e]") {
  TestApp app("employee_user_account", unthrottled());
  auto admin = app.signup("emp-user");
  auto& http = app.http();

  auto body = new_employee("Hopper");
  body["createUserAccount"] = true;
  auto employee = create_employee(http, admin.access_token, body);
  const auto id = text_at(employee, "id");
  REQUIRE(employee.contains("invitation"));
  const auto token = text_at(employee.at("invitation"), "token");
  CHECK_FALSE(employee.at("invitation").at("expiresAt").as_string().empty());
  REQUIRE(employee.at("userId").is_string());
  const auto user_id = text_at(employee, "userId");
  CHECK(app.sql().scalar("SELECT role FROM auth.users WHERE id = $1", {user_id}) == "EMPLOYEE");
  CHECK(app.sql().scalar("SELECT email FROM auth.users WHERE id = $1", {user_id}) ==
        "hopper@staff.example.com");

  auto accepted = http.post("/api/v1/auth/invitations/accept",
                            {{"token", token}, {"password", "a long enough password"}});
  REQUIRE(accepted.status == 200);
  const auto me = text_at(accepted.json(), "accessToken");

  auto mine = http.get("/api/v1/me/employee", me);
  REQUIRE(mine.status == 200);
  CHECK(text_at(mine.json(), "id") == id);
  CHECK(http.get(employee_path(id), me).status == 200);

  // Someone else's record is "not found", and the employee manages nothing.
  auto other = create_employee(http, admin.access_token, new_employee("Other"));
  require_problem(http.get(employee_path(text_at(other, "id")), me), 404, "not_found");
  require_problem(http.get(employee_path("00000000-0000-4000-8000-000000000000"), me), 404,
                  "not_found");
  require_problem(http.get(k_employees, me), 403, "forbidden");
  require_problem(http.patch(employee_path(id), {{"firstName", "Me"}}, me), 403, "forbidden");
  require_problem(http.post(k_employees, new_employee("Self"), me), 403, "forbidden");

  // An admin has no employee record of their own; an HR user may not use /me/employee.
  require_problem(http.get("/api/v1/me/employee", admin.access_token), 404, "not_found");
  auto hr = app.add_user(admin, "emp-user-hr", "HR_MANAGER");
  require_problem(http.get("/api/v1/me/employee", hr.access_token), 403, "forbidden");

  // The invited email is taken by a user now: a second account for it is a conflict, and the
  // whole creation (wallet and employee included) rolls back.
  auto before = written(app.sql());
  auto again = new_employee("hopper");
  again["email"] = "HOPPER@staff.example.com";
  again["createUserAccount"] = true;
  require_problem(http.post(k_employees, again, admin.access_token), 409, "conflict");
  CHECK(written(app.sql()) == before);
}

TEST_CASE("employee: roles, the list's filters and its pages", "[e2e]") {
  TestApp app("employee_list", unthrottled());
  auto admin = app.signup("emp-list");
  auto finance = app.add_user(admin, "emp-list-fin", "FINANCE_MANAGER");
  auto hr = app.add_user(admin, "emp-list-hr", "HR_MANAGER");
  auto& http = app.http();

  require_problem(http.post(k_employees, new_employee("Nope"), finance.access_token), 403,
                  "forbidden");
  require_problem(
      http.get(employee_path("00000000-0000-4000-8000-000000000000"), finance.access_token), 403,
      "forbidden");
  CHECK(http.get(k_employees).status == 401);

  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 7; ++i) {
    auto body = new_employee(fmt::format("Person{}", i));
    body["firstName"] = i % 2 == 0 ? "Grace" : "Alan";
    body["department"] = i < 3 ? "Engineering" : "Finance % Ops";
    ids.push_back(text_at(create_employee(http, hr.access_token, body), "id"));
  }
  auto terminated = http.post(employee_path(ids[6], "/terminate"),
                              {{"terminationDate", "2026-06-30"}}, hr.access_token);
  REQUIRE(terminated.status == 200);
  REQUIRE(
      http.post(employee_path(ids[5], "/kyc/approve"), json::object{}, hr.access_token).status ==
      200);

  // Pages of 3, newest first, through nextCursor.
  std::vector<std::string> seen;
  std::string target = std::string(k_employees) + "?limit=3";
  for (int page = 0; page < 10; ++page) {
    auto response = http.get(target, finance.access_token);
    REQUIRE(response.status == 200);
    auto body = response.json();
    for (const auto& item : body.at("data").as_array()) seen.push_back(text_at(item, "id"));
    if (body.at("nextCursor").is_null()) break;
    target = std::string(k_employees) + "?limit=3&cursor=" + text_at(body, "nextCursor");
  }
  CHECK(seen == std::vector<std::string>(ids.rbegin(), ids.rend()));

  auto filtered = [&](const std::string& query) {
    auto response = http.get(std::string(k_employees) + "?" + query, hr.access_token);
    INFO(query << " -> " << response.body);
    REQUIRE(response.status == 200);
    return ids_of(response);
  };
  CHECK(filtered("status=TERMINATED") == std::set<std::string>{ids[6]});
  CHECK(filtered("status=ACTIVE").size() == 6);
  CHECK(filtered("kycStatus=APPROVED") == std::set<std::string>{ids[5]});
  CHECK(filtered("kycStatus=PENDING").size() == 6);
  CHECK(filtered("department=engineering") == std::set<std::string>{ids[0], ids[1], ids[2]});
  CHECK(filtered("department=Finance%20%25%20Ops").size() == 4);
  CHECK(filtered("q=alan") == std::set<std::string>{ids[1], ids[3], ids[5]});
  CHECK(filtered("q=PERSON4%40STAFF") == std::set<std::string>{ids[4]});  // the email
  CHECK(filtered("q=grace%20person2") == std::set<std::string>{ids[2]});  // the full name
  CHECK(filtered("q=%25").empty());  // '%' is text, not a wildcard
  CHECK(filtered("status=ACTIVE&department=Engineering&q=grace") ==
        std::set<std::string>{ids[0], ids[2]});

  auto bad = [&](const std::string& query) {
    return problem_fields(http.get(std::string(k_employees) + "?" + query, hr.access_token), 400,
                          "validation_failed");
  };
  CHECK(bad("status=FIRED") == std::set<std::string>{"status"});
  CHECK(bad("kycStatus=MAYBE") == std::set<std::string>{"kycStatus"});
  CHECK(bad("q=" + std::string(201, 'a')) == std::set<std::string>{"q"});
  CHECK(bad("limit=0") == std::set<std::string>{"limit"});
  CHECK(bad("cursor=bogus") == std::set<std::string>{"cursor"});
}

TEST_CASE("employee: PATCH changes details with an audit of before and after", "[e2e]") {
  TestApp app("employee_patch", unthrottled());
  auto admin = app.signup("emp-patch");
  auto& http = app.http();
  const auto& token = admin.access_token;
  auto body = new_employee("Turing");
  body["department"] = "Research";
  body["employeeNumber"] = "T-1";
  auto employee = create_employee(http, token, body);
  const auto id = text_at(employee, "id");
  create_employee(http, token, new_employee("Taken"));

  auto changed =
      http.patch(employee_path(id),
                 {{"lastName", "Turing-Smith"},
                  {"department", nullptr},
                  {"position", "Lead"},
                  {"hireDate", "2026-01-10"},
                  {"payFrequency", "BIWEEKLY"},
                  {"salary", {{"amount", 9000}, {"currency", "USD"}, {"period", "HOURLY"}}}},
                 token);
  REQUIRE(changed.status == 200);
  auto after = changed.json();
  CHECK(after.at("lastName").as_string() == "Turing-Smith");
  CHECK(after.at("department").is_null());
  CHECK(after.at("position").as_string() == "Lead");
  CHECK(after.at("hireDate").as_string() == "2026-01-10");
  CHECK(after.at("payFrequency").as_string() == "BIWEEKLY");
  CHECK(after.at("salary").at("period").as_string() == "HOURLY");
  CHECK(after.at("employeeNumber").as_string() == "T-1");
  CHECK(after.at("walletId") == employee.at("walletId"));
  auto audit = app.sql().rows(
      "SELECT before->>'department', after->>'lastName' FROM compliance.audit_logs "
      "WHERE action = 'employee.updated' AND entity_id = $1",
      {id});
  REQUIRE(audit.size() == 1);
  CHECK(audit[0][0] == "Research");
  CHECK(audit[0][1] == "Turing-Smith");

  // A patch that changes nothing writes nothing.
  auto before = written(app.sql());
  CHECK(http.patch(employee_path(id), {{"position", "Lead"}}, token).status == 200);
  CHECK(written(app.sql()) == before);

  // Refused: a taken email, nulls where a value is required, unknown fields.
  CHECK(problem_fields(http.patch(employee_path(id), {{"email", "taken@staff.example.com"}}, token),
                       409, "conflict") == std::set<std::string>{"email"});
  CHECK(problem_fields(http.patch(employee_path(id),
                                  {{"firstName", nullptr},
                                   {"salary", nullptr},
                                   {"status", "TERMINATED"},
                                   {"hireDate", "yesterday"}},
                                  token),
                       400, "validation_failed") ==
        std::set<std::string>{"firstName", "salary", "status", "hireDate"});
  CHECK(written(app.sql()) == before);

  // A new salary currency moves the employee to their wallet in that currency.
  auto moved = http.patch(
      employee_path(id),
      {{"salary", {{"amount", 500}, {"currency", "USDC"}, {"period", "HOURLY"}}}}, token);
  REQUIRE(moved.status == 200);
  const auto usdc_wallet = text_at(moved.json(), "walletId");
  CHECK(usdc_wallet != text_at(employee, "walletId"));
  CHECK(app.sql().scalar("SELECT currency FROM wallet.wallets WHERE id = $1 AND owner_id = $2",
                         {usdc_wallet, id}) == "USDC");
  auto back = http.patch(
      employee_path(id),
      {{"salary", {{"amount", 9000}, {"currency", "USD"}, {"period", "HOURLY"}}}}, token);
  REQUIRE(back.status == 200);
  CHECK(back.json().at("walletId") == employee.at("walletId"));
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets WHERE owner_id = $1", {id}) == 2);

  require_problem(
      http.patch(employee_path("00000000-0000-4000-8000-000000000000"), {{"position", "x"}}, token),
      404, "not_found");
  require_problem(http.patch(employee_path("not-a-uuid"), {{"position", "x"}}, token), 400,
                  "validation_failed");
  require_chain_ok(http, token);
}

TEST_CASE("employee: termination is ACTIVE to TERMINATED once, not before the hire date", "[e2e]") {
  TestApp app("employee_terminate", unthrottled());
  auto admin = app.signup("emp-term");
  auto& http = app.http();
  const auto& token = admin.access_token;
  auto employee = create_employee(http, token, new_employee("Leaver"));
  const auto id = text_at(employee, "id");
  const auto path = employee_path(id, "/terminate");

  CHECK(problem_fields(http.post(path, {{"terminationDate", "2026-01-14"}}, token), 400,
                       "validation_failed") == std::set<std::string>{"terminationDate"});
  CHECK(problem_fields(http.post(path, json::object{}, token), 400, "validation_failed") ==
        std::set<std::string>{"terminationDate"});
  auto done = http.post(path, {{"terminationDate", "2026-01-15"}}, token);
  REQUIRE(done.status == 200);
  CHECK(done.json().at("status").as_string() == "TERMINATED");
  CHECK(done.json().at("terminationDate").as_string() == "2026-01-15");
  CHECK(audited(app.sql(), "employee.terminated", id) == 1);

  require_problem(http.post(path, {{"terminationDate", "2026-02-01"}}, token), 409,
                  "invalid_state");
  // The hire date cannot move past the termination date.
  CHECK(problem_fields(http.patch(employee_path(id), {{"hireDate", "2026-03-01"}}, token), 400,
                       "validation_failed") == std::set<std::string>{"hireDate"});
  CHECK(audited(app.sql(), "employee.terminated", id) == 1);
}
