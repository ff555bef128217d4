// The CSV import: exact per-row errors and nothing created when there is any, RFC 4180 quoting
// and UTF-8 names, dry runs, duplicates inside the file and against existing employees, exact
// decimal salaries, and a 10,000-row file imported set-based with an audit chain that verifies.
#include <chrono>
#include <set>

#include "employee_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::TestApp;

constexpr auto k_header =
    "firstName,lastName,email,hireDate,salaryAmount,salaryCurrency,salaryPeriod,employeeNumber,"
    "department\r\n";

std::string row(int i, std::string_view tag = "p") {
  return fmt::format(
      "First{0},Last{0},{1}{0}@import.example.com,2026-02-01,{0}000.50,USD,ANNUAL,"
      "{1}-{0},Dept{2}\r\n",
      i, tag, i % 5);
}

HttpResponse import(HttpClient& http, const std::string& csv, const std::string& token,
                    std::string_view query = "") {
  return http.request("POST", std::string(k_employees) + "/import" + std::string(query), csv,
                      {{"Content-Type", "text/csv; charset=utf-8"}}, token);
}

// The answer's errors as "row field" strings.
std::set<std::string> errors_of(const HttpResponse& response) {
  INFO(response.body.substr(0, 2000));
  REQUIRE(response.status == 200);
  std::set<std::string> errors;
  auto body = response.json();
  for (const auto& error : body.at("errors").as_array()) {
    CHECK_FALSE(error.at("message").as_string().empty());
    errors.insert(fmt::format("{} {}", error.at("row").as_int64(),
                              error.at("field").is_null() ? "-" : text_at(error, "field")));
  }
  return errors;
}

long long employees(TestApp& app) {
  return app.sql().count("SELECT count(*) FROM employee.employees");
}

}  // namespace

TEST_CASE("employee import: 3 bad rows among 500 give exactly their errors and create nothing",
          "[e2e]") {
  TestApp app("employee_import_errors", unthrottled());
  auto admin = app.signup("emp-import");
  auto& http = app.http();
  std::string csv = k_header;
  for (int i = 1; i <= 500; ++i) {
    if (i == 17)
      csv += "First17,Last17,not-an-email,2026-02-01,100.00,USD,ANNUAL,p-17,Dept\r\n";
    else if (i == 250)
      csv += "First250,Last250,p250@import.example.com,2026-02-01,100.005,USD,ANNUAL,p-250,D\r\n";
    else if (i == 499)
      csv += "First499,Last499,p499@import.example.com,2026-02-30,100,USD,ANNUAL,p-499,D\r\n";
    else
      csv += row(i);
  }
  auto before = written(app.sql());
  for (auto dry_run : {"?dryRun=true", "?dryRun=false", ""}) {
    INFO(dry_run);
    auto response = import(http, csv, admin.access_token, dry_run);
    CHECK(errors_of(response) ==
          std::set<std::string>{"17 email", "250 salaryAmount", "499 hireDate"});
    CHECK(response.json().at("created").as_int64() == 0);
    CHECK(response.json().at("rows").as_int64() == 500);
  }
  CHECK(written(app.sql()) == before);

  // The same file without its 3 bad rows: a dry run checks and creates nothing; then it imports.
  std::string good = k_header;
  for (int i = 1; i <= 500; ++i)
    if (i != 17 && i != 250 && i != 499) good += row(i);
  auto dry = import(http, good, admin.access_token, "?dryRun=true");
  CHECK(errors_of(dry).empty());
  CHECK(dry.json().at("created").as_int64() == 0);
  CHECK(dry.json().at("dryRun").as_bool());
  CHECK(written(app.sql()) == before);

  auto real = import(http, good, admin.access_token, "?dryRun=false");
  CHECK(errors_of(real).empty());
  CHECK(real.json().at("created").as_int64() == 497);
  CHECK(employees(app) == 497);
  // Each with its own wallet and audit entry; salaries converted exactly.
  CHECK(app.sql().count("SELECT count(*) FROM employee.employees e JOIN wallet.wallets w "
                        "ON w.id = e.wallet_id AND w.owner_id = e.id AND w.currency = 'USD'") ==
        497);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = "
                        "'employee.created'") == 497);
  CHECK(app.sql().scalar("SELECT salary_amount::text FROM employee.employees WHERE email = $1",
                         {"p42@import.example.com"}) == "4200050");
  CHECK(app.sql().scalar("SELECT department FROM employee.employees WHERE employee_number = $1",
                         {"p-42"}) == "Dept2");
  require_chain_ok(http, admin.access_token);

  // Importing the same people again: every row is a duplicate of an existing employee.
  auto again = import(http, std::string(k_header) + row(1) + row(2), admin.access_token);
  CHECK(errors_of(again) ==
        std::set<std::string>{"1 email", "1 employeeNumber", "2 email", "2 employeeNumber"});
  CHECK(employees(app) == 497);
}

TEST_CASE("employee import: quoting, UTF-8, optional columns, duplicates and file errors",
          "[e2e]") {
  TestApp app("employee_import_format", unthrottled());
  auto admin = app.signup("emp-import-fmt");
  auto hr = app.add_user(admin, "emp-import-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "emp-import-fin", "FINANCE_MANAGER");
  auto& http = app.http();

  // Columns in another order and case, LF line ends, a BOM, quoted commas, quotes and newlines.
  const std::string csv =
      "\xEF\xBB\xBF"
      "EMAIL,firstName,lastName,hireDate,salaryAmount,salaryCurrency,salaryPeriod,"
      "position,payFrequency\n"
      "zoe@import.example.com,Zoë,\"Ångström, Jr.\",2026-03-01,0.000001,USDC,HOURLY,"
      "\"Head of \"\"Research\"\"\nand Development\",WEEKLY\n"
      "\"li@import.example.com\",李,\"O'Brien\",2026-03-02,1500000,JPY,MONTHLY,,\n"
      "  sol@import.example.com  , José , Núñez ,2026-03-03,1.5,SOL,ANNUAL,\"\",BIWEEKLY";
  auto response = import(http, csv, hr.access_token);
  CHECK(errors_of(response).empty());
  REQUIRE(response.json().at("created").as_int64() == 3);
  auto rows = app.sql().rows(
      "SELECT first_name, last_name, position, salary_amount::text, salary_currency, "
      "pay_frequency, salary_period FROM employee.employees ORDER BY email");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == payrollx::test::Sql::Row{"李", "O'Brien", std::nullopt, "1500000", "JPY",
                                            "MONTHLY", "MONTHLY"});
  CHECK(rows[1] == payrollx::test::Sql::Row{"José", "Núñez", std::nullopt, "1500000000", "SOL",
                                            "BIWEEKLY", "ANNUAL"});
  CHECK(rows[2] == payrollx::test::Sql::Row{"Zoë", "Ångström, Jr.",
                                            "Head of \"Research\"\nand Development", "1", "USDC",
                                            "WEEKLY", "HOURLY"});

  // Duplicates inside the file (emails compare case-insensitively) and against the existing.
  auto duplicates = import(http,
                           std::string(k_header) + row(1, "d") + row(2, "d") +
                               "A,B,D1@IMPORT.example.com,2026-01-01,1,USD,ANNUAL,d-1,X\r\n" +
                               "A,B,zoe@import.example.com,2026-01-01,1,USD,ANNUAL,,X\r\n",
                           hr.access_token);
  CHECK(errors_of(duplicates) == std::set<std::string>{"3 email", "3 employeeNumber", "4 email"});

  // Row problems of every kind, each named.
  auto bad = import(
      http,
      std::string(k_header) +
          "\"\",B,x@import.example.com,2026-01-01,1,USD,ANNUAL,,\r\n"      // 1 firstName
          "A,B,y@import.example.com,2026-01-01,-1,USD,ANNUAL,,\r\n"        // 2 salaryAmount
          "A,B,z@import.example.com,2026-01-01,1,XYZ,ANNUAL,,\r\n"         // 3 salaryCurrency
          "A,B,w@import.example.com,2026-01-01,1,USD,YEARLY,,\r\n"         // 4 salaryPeriod
          "A,B,v@import.example.com,2026-01-01,0,USD,ANNUAL,,\r\n"         // 5 salaryAmount
          "A,B,u@import.example.com,2026-01-01,1,USD,ANNUAL\r\n"           // 6 too few fields
          "A,B\"C,t@import.example.com,2026-01-01,1,USD,ANNUAL,,\r\n"      // 7 a bad quote
          "A,\xFF\xFE,s@import.example.com,2026-01-01,1,USD,ANNUAL,,\r\n"  // 8 lastName UTF-8
          "A,B,r@import.example.com,2026-01-01,99999999999999999.99,USD,ANNUAL,,\r\n"  // 9
          "A,B,q@import.example.com,2026-01-01,1,JPY,ANNUAL,,\r\n"                     // 10 fine
          "A,B,p@import.example.com,2026-01-01,1.5,JPY,ANNUAL,,\r\n",  // 11 salaryAmount
      hr.access_token);
  CHECK(errors_of(bad) == std::set<std::string>{"1 firstName", "2 salaryAmount", "3 salaryCurrency",
                                                "4 salaryPeriod", "5 salaryAmount", "6 -", "7 -",
                                                "8 lastName", "9 salaryAmount", "11 salaryAmount"});

  // The header: unknown, repeated and missing columns are errors of row 0.
  auto header =
      import(http, "firstName,email,email,nickname\r\nA,a@x.example.com,b,c\r\n", hr.access_token);
  CHECK(errors_of(header) == std::set<std::string>{"0 nickname", "0 email", "0 lastName",
                                                   "0 hireDate", "0 salaryAmount",
                                                   "0 salaryCurrency", "0 salaryPeriod"});
  CHECK(errors_of(import(http, "", hr.access_token)) == std::set<std::string>{"0 -"});
  auto header_only = import(http, k_header, hr.access_token);
  CHECK(errors_of(header_only).empty());
  CHECK(header_only.json().at("created").as_int64() == 0);
  CHECK(employees(app) == 3);

  // Not CSV, a bad dryRun, a role that may not import.
  require_problem(http.request("POST", std::string(k_employees) + "/import", "a,b",
                               {{"Content-Type", "application/json"}}, hr.access_token),
                  415, "unsupported_media_type");
  require_problem(http.request("POST", std::string(k_employees) + "/import", "a,b",
                               {{"Content-Type", "text/csv; charset=latin1"}}, hr.access_token),
                  415, "unsupported_media_type");
  require_problem(import(http, k_header, hr.access_token, "?dryRun=maybe"), 400,
                  "validation_failed");
  require_problem(import(http, k_header, finance.access_token), 403, "forbidden");
  CHECK(employees(app) == 3);
}

TEST_CASE("employee import: 10,000 rows import set-based and the audit chain verifies", "[e2e]") {
  TestApp app("employee_import_bulk", unthrottled());
  auto admin = app.signup("emp-import-bulk");
  auto& http = app.http();
  create_employee(http, admin.access_token, new_employee("Before"));  // a chain to extend

  std::string csv = k_header;
  for (int i = 1; i <= 10000; ++i) csv += row(i, "bulk");
  auto started = std::chrono::steady_clock::now();
  auto response = import(http, csv, admin.access_token);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  WARN("a 10,000-row import took " << took.count() << " ms");
  CHECK(errors_of(response).empty());
  CHECK(response.json().at("created").as_int64() == 10000);
  CHECK(employees(app) == 10001);
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets WHERE owner_type = 'EMPLOYEE'") ==
        10001);
  CHECK(app.sql().count(
            "SELECT count(*) FROM compliance.audit_logs WHERE action = 'employee.created'") ==
        10001);
  require_chain_ok(http, admin.access_token);  // which seals what is queued
  // One gap-free chain: seq 1..N, every entry in it.
  CHECK(app.sql().scalar("SELECT (max(seq) = count(*) AND count(*) = (SELECT count(*) FROM "
                         "compliance.audit_logs WHERE organization_id = $1))::text "
                         "FROM compliance.audit_seals WHERE organization_id = $1",
                         {admin.organization_id}) == "true");

  // More entries after the bulk ones still chain on.
  create_employee(http, admin.access_token, new_employee("After"));
  require_chain_ok(http, admin.access_token);

  // An 11th thousand is over the limit: nothing is read beyond saying so.
  std::string over = k_header;
  for (int i = 1; i <= 10001; ++i) over += row(i, "over");
  CHECK(errors_of(import(http, over, admin.access_token)) == std::set<std::string>{"0 -"});
  CHECK(employees(app) == 10002);
}
