// Tenant isolation of every employee route: another organisation's admin (and its HR manager)
// gets 404 for the first organisation's employee and document ids, exactly as for ids that do
// not exist, changes nothing, and sees none of its employees in lists, duplicate checks or
// documents.
#include <set>

#include "employee_helpers.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::TestApp;

struct Call {
  std::string method;
  std::string path;
  std::string body;
  std::string content_type = "application/json";
};

}  // namespace

TEST_CASE("employee: another organisation's employee ids answer 404 and change nothing", "[e2e]") {
  TestApp app("employee_tenant", unthrottled());
  auto a_admin = app.signup("emp-tenant-a");
  auto b_admin = app.signup("emp-tenant-b");
  auto b_hr = app.add_user(b_admin, "emp-tenant-b-hr", "HR_MANAGER");
  auto& http = app.http();

  auto body = new_employee("Isolated");
  body["employeeNumber"] = "A-1";
  body["department"] = "Secret";
  auto a_employee = create_employee(http, a_admin.access_token, body);
  const auto id = text_at(a_employee, "id");
  auto uploaded =
      http.request("POST", employee_path(id, "/documents?documentType=ID&fileName=a.pdf"),
                   "%PDF-1.4 secret", {{"Content-Type", "application/pdf"}}, a_admin.access_token);
  REQUIRE(uploaded.status == 201);
  const auto doc = text_at(uploaded.json(), "id");
  auto before = written(app.sql());
  auto a_before = http.get(employee_path(id), a_admin.access_token).json();

  const std::vector<Call> calls{
      {"GET", employee_path(id), ""},
      {"PATCH", employee_path(id), R"({"position":"x"})"},
      {"POST", employee_path(id, "/terminate"), R"({"terminationDate":"2026-12-31"})"},
      {"GET", employee_path(id, "/components"), ""},
      {"PUT", employee_path(id, "/components"), "[]"},
      {"POST", employee_path(id, "/kyc/approve"), ""},
      {"POST", employee_path(id, "/kyc/reject"), R"({"reason":"r"})"},
      {"PUT", employee_path(id, "/wallet-address"),
       R"({"walletAddress":"11111111111111111111111111111111"})"},
      {"POST", employee_path(id, "/documents?documentType=ID&fileName=b.pdf"), "%PDF-1.4 b",
       "application/pdf"},
      {"GET", employee_path(id, "/documents"), ""},
      {"GET", employee_path(id, "/documents/" + doc + "/content"), ""},
  };
  for (const auto* token : {&b_admin.access_token, &b_hr.access_token}) {
    for (const auto& call : calls) {
      INFO(call.method << " " << call.path);
      payrollx::test::Headers headers;
      if (!call.body.empty()) headers.emplace_back("Content-Type", call.content_type);
      require_problem(http.request(call.method, call.path, call.body, headers, *token), 404,
                      "not_found");
    }
  }
  CHECK(written(app.sql()) == before);
  CHECK(http.get(employee_path(id), a_admin.access_token).json() == a_before);

  // Lists and filters show B nothing of A's.
  for (const auto* query : {"", "?q=isolated", "?department=Secret", "?kycStatus=PENDING"}) {
    auto list = http.get(std::string(k_employees) + query, b_admin.access_token);
    REQUIRE(list.status == 200);
    CHECK(list.json().at("data").as_array().empty());
  }

  // A's email and employee number are free in B: no duplicate across organisations.
  auto csv = std::string(
      "firstName,lastName,email,hireDate,salaryAmount,salaryCurrency,salaryPeriod,"
      "employeeNumber\r\nB,Person,isolated@staff.example.com,2026-01-01,10,USD,ANNUAL,A-1\r\n");
  auto imported = http.request("POST", std::string(k_employees) + "/import", csv,
                               {{"Content-Type", "text/csv"}}, b_hr.access_token);
  REQUIRE(imported.status == 200);
  CHECK(imported.json().at("created").as_int64() == 1);
  CHECK(app.sql().count("SELECT count(*) FROM employee.employees WHERE organization_id = $1",
                        {a_admin.organization_id}) == 1);
}
