// Compliance reports (/api/v1/compliance/reports) made in the background and downloaded: each kind
// in CSV and JSON against figures the test reads itself from the database, CSV injection
// escaping, the file's sha256, roles, tenant isolation, bad input and downloads before READY.
#include <sodium.h>

#include <map>
#include <sstream>

#include "eventually.hpp"
#include "payroll_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

constexpr auto k_reports = "/api/v1/compliance/reports";

// An organisation with three employees (one whose name a spreadsheet would run as a formula)
// paid by a completed February 2026 run.
struct Paid {
  Org org;
  std::vector<Employee> employees;
  std::string run_id;
  json::object run;
};

Paid paid(TestApp& app, const std::string& who) {
  Paid p;
  p.org = organisation(app, who);
  p.employees.push_back(hire(app, p.org, who + "-a", "2026-01-05", true));
  expect(app.http().patch("/api/v1/employees/" + p.employees[0].id,
                          json::object{{"firstName", "=HYPERLINK(evil)"}}, p.org.hr.access_token),
         200);
  p.employees.push_back(hire(app, p.org, who + "-b"));
  p.employees.push_back(hire(app, p.org, who + "-c", "2026-01-05", false, true, 7'654'321));
  auto run = draft_regular(app, p.org, monthly_schedule(app, p.org));
  p.run_id = text_at(run, "id");
  auto& http = app.http();
  expect(ledger::deposit(http, p.org.finance.access_token, p.org.treasury, 100'000'000), 201);
  expect(act(app, p.org.finance.access_token, p.run_id, "approve"), 200);
  expect(execute(http, p.org.finance.access_token, p.run_id), 200);
  p.run = get_run(app, p.org.finance.access_token, p.run_id);
  REQUIRE(text_at(p.run, "status") == "COMPLETED");
  return p;
}

json::object request_report(TestApp& app, const std::string& token, const std::string& kind,
                            const std::string& format, const std::string& start,
                            const std::string& end) {
  json::object body{{"kind", kind}, {"format", format}, {"periodStart", start}, {"periodEnd", end}};
  return expect(app.http().post(k_reports, body, token), 201);
}

// The server's log but its request lines: what the maker said, for a report that failed.
std::string server_events(TestApp& app) {
  std::string events;
  std::istringstream lines(app.server().output());
  for (std::string line; std::getline(lines, line);)
    if (line.find("http.request") == std::string::npos) events += line + "\n";
  return events;
}

json::object ready(TestApp& app, const std::string& token, const std::string& id) {
  json::object report;
  CHECK(eventually([&] {
    report = expect(app.http().get(std::string(k_reports) + "/" + id, token), 200);
    return report.at("status") != "PENDING" && report.at("status") != "RUNNING";
  }));
  INFO(json::serialize(report));
  INFO(server_events(app));
  REQUIRE(report.at("status") == "READY");
  return report;
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

// The report made and downloaded, its headers and integrity checked.
std::string made(TestApp& app, const std::string& token, const std::string& kind,
                 const std::string& format, const std::string& start, const std::string& end) {
  auto report = request_report(app, token, kind, format, start, end);
  CHECK(report.at("status") == "PENDING");
  const auto id = text_at(report, "id");
  report = ready(app, token, id);
  CHECK(report.at("progress").as_int64() == 100);
  auto file = app.http().get(std::string(k_reports) + "/" + id + "/download", token);
  REQUIRE(file.status == 200);
  CHECK(file.header("content-type").value_or("") ==
        (format == "CSV" ? "text/csv; charset=utf-8" : "application/json"));
  CHECK(file.header("content-disposition").value_or("").starts_with("attachment; filename=\""));
  CHECK(file.header("x-content-sha256").value_or("") == sha256_hex(file.body));
  CHECK(text_at(report, "sha256") == sha256_hex(file.body));
  CHECK(report.at("size").as_int64() == static_cast<std::int64_t>(file.body.size()));
  return file.body;
}

// RFC 4180 records (quoted fields with doubled quotes, CRLF line ends).
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
      ++i;
    } else {
      field += c;
    }
  }
  REQUIRE(field.empty());
  REQUIRE(record.empty());  // the file ends with CRLF
  return records;
}

// Rows as column -> cell, the header checked against `columns`.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text,
                                                         const std::string& columns) {
  auto records = csv_records(text);
  REQUIRE_FALSE(records.empty());
  std::string header;
  for (const auto& name : records[0]) header += (header.empty() ? "" : ",") + name;
  CHECK(header == columns);
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    REQUIRE(records[r].size() == records[0].size());
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < records[0].size(); ++c) row[records[0][c]] = records[r][c];
    rows.push_back(std::move(row));
  }
  return rows;
}

// "8471.79" at scale 2 -> 847179, exactly.
std::int64_t minor_of(const std::string& major) {
  auto dot = major.find('.');
  REQUIRE(dot != std::string::npos);
  REQUIRE(major.size() - dot - 1 == 2);
  return std::stoll(major.substr(0, dot) + major.substr(dot + 1));
}

std::string today(TestApp& app) {
  return *app.sql().scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')");
}

constexpr auto k_register_columns =
    "runId,runType,payDate,employeeId,employeeName,currency,basePay,earnings,gross,"
    "preTaxDeductions,taxable,tax,postTaxDeductions,net,runStatus,transactionId";

}  // namespace

TEST_CASE("reports: the payroll register adds up to the run, in CSV and JSON") {
  TestApp app("reports-register", unthrottled());
  auto p = paid(app, "register");
  const auto& token = p.org.finance.access_token;
  const auto total_net = p.run.at("totals").at("net").as_int64();

  auto csv = made(app, token, "PAYROLL_REGISTER", "CSV", "2026-02-01", "2026-02-28");
  auto rows = csv_rows(csv, k_register_columns);
  REQUIRE(rows.size() == 3);
  std::int64_t net = 0;
  bool escaped = false;
  for (const auto& row : rows) {
    net += minor_of(row.at("net"));
    CHECK(row.at("runId") == p.run_id);
    CHECK(row.at("payDate") == "2026-02-27");
    CHECK(row.at("runStatus") == "COMPLETED");
    CHECK(row.at("currency") == "USD");
    CHECK(app.sql().scalar("SELECT transaction_id::text FROM payroll.payroll_items WHERE run_id = "
                           "$1 AND employee_id = $2",
                           {p.run_id, row.at("employeeId")}) == row.at("transactionId"));
    if (row.at("employeeName").starts_with("'=HYPERLINK(evil)")) escaped = true;
    CHECK_FALSE(row.at("employeeName").starts_with("="));
  }
  CHECK(net == total_net);
  CHECK(escaped);
  // Nothing outside the period.
  CHECK(csv_rows(made(app, token, "PAYROLL_REGISTER", "CSV", "2026-03-01", "2026-03-31"),
                 k_register_columns)
            .empty());

  auto document =
      json::parse(made(app, token, "PAYROLL_REGISTER", "JSON", "2026-02-01", "2026-02-28"))
          .as_object();
  CHECK(document.at("kind") == "PAYROLL_REGISTER");
  const auto& json_rows = document.at("rows").as_array();
  REQUIRE(json_rows.size() == 3);
  std::int64_t json_net = 0;
  for (const auto& row : json_rows) {
    json_net += row.at("net").as_int64();
    CHECK(text_at(row, "runId") == p.run_id);
  }
  CHECK(json_net == total_net);
  CHECK(document.at("totals").at("rows").as_int64() == 3);
  CHECK(document.at("totals").at("byCurrency").at("USD").at("net").as_int64() == total_net);
  CHECK(document.at("totals").at("byCurrency").at("USD").at("gross").as_int64() ==
        p.run.at("totals").at("gross").as_int64());
}

TEST_CASE("reports: the tax summary per employee, the reconciliation and the audit export") {
  TestApp app("reports-kinds", unthrottled());
  auto p = paid(app, "kinds");
  const auto& token = p.org.admin.access_token;
  auto& sql = app.sql();

  // Tax summary: one row per employee, the sums read here from the items themselves.
  auto summary = csv_rows(made(app, token, "TAX_SUMMARY", "CSV", "2026-01-01", "2026-12-31"),
                          "employeeId,employeeName,currency,runs,gross,taxable,tax,net");
  REQUIRE(summary.size() == 3);
  for (const auto& row : summary) {
    INFO(row.at("employeeId"));
    auto expected = sql.rows(
        "SELECT sum(gross)::text, sum(taxable)::text, sum(tax)::text, sum(net)::text "
        "FROM payroll.payroll_items WHERE employee_id = $1",
        {row.at("employeeId")});
    CHECK(row.at("runs") == "1");
    CHECK(minor_of(row.at("gross")) == std::stoll(*expected[0][0]));
    CHECK(minor_of(row.at("taxable")) == std::stoll(*expected[0][1]));
    CHECK(minor_of(row.at("tax")) == std::stoll(*expected[0][2]));
    CHECK(minor_of(row.at("net")) == std::stoll(*expected[0][3]));
  }

  // The same in JSON, in minor units, with the totals of the three.
  auto summary_json =
      json::parse(made(app, token, "TAX_SUMMARY", "JSON", "2026-01-01", "2026-12-31")).as_object();
  std::int64_t net_total = 0;
  for (const auto& row : summary_json.at("rows").as_array()) {
    const auto employee_id = text_at(row, "employeeId");
    CHECK(std::to_string(row.at("tax").as_int64()) ==
          sql.scalar("SELECT sum(tax)::text FROM payroll.payroll_items WHERE employee_id = $1",
                     {employee_id}));
    net_total += row.at("net").as_int64();
  }
  CHECK(summary_json.at("rows").as_array().size() == 3);
  CHECK(net_total == p.run.at("totals").at("net").as_int64());
  CHECK(summary_json.at("totals").at("byCurrency").at("USD").at("net").as_int64() == net_total);

  // Reconciliation to today: each wallet's closing balance is its balance now.
  const auto day = today(app);
  auto wallets =
      json::parse(made(app, token, "LEDGER_RECONCILIATION", "JSON", "2026-01-01", day)).as_object();
  const auto& wallet_rows = wallets.at("rows").as_array();
  CHECK(static_cast<long long>(wallet_rows.size()) ==
        sql.count("SELECT count(*) FROM wallet.wallets WHERE organization_id = $1",
                  {p.org.admin.organization_id}));
  for (const auto& row : wallet_rows) {
    INFO(json::serialize(row));
    CHECK(row.at("ok").as_bool());
    CHECK(std::to_string(row.at("closingBalance").as_int64()) ==
          sql.scalar("SELECT balance::text FROM wallet.wallets WHERE id = $1",
                     {std::string(row.at("walletId").as_string())}));
    CHECK(row.at("openingBalance").as_int64() == 0);
  }
  CHECK(ledger::balance_of(app.http(), token, p.org.treasury) ==
        100'000'000 - p.run.at("totals").at("net").as_int64());
  auto wallets_csv = csv_rows(made(app, token, "LEDGER_RECONCILIATION", "CSV", "2026-01-01", day),
                              "walletId,ownerType,ownerId,currency,openingBalance,credits,debits,"
                              "closingBalance,entriesBalance,ok");
  CHECK(wallets_csv.size() == wallet_rows.size());
  for (const auto& row : wallets_csv) {
    CHECK(row.at("ok") == "true");
    CHECK(
        std::to_string(minor_of(row.at("closingBalance"))) ==
        sql.scalar("SELECT balance::text FROM wallet.wallets WHERE id = $1", {row.at("walletId")}));
  }

  // Audit export of today: the audit log's entries of the organisation, in chain order.
  auto audit = csv_rows(made(app, token, "AUDIT_EXPORT", "CSV", day, day),
                        "seq,id,createdAt,actorId,action,entityType,entityId,requestId,before,"
                        "after,prevHash,hash");
  auto expected = sql.rows(
      "SELECT entry_id::text, hash, seq::text AS seq_text FROM compliance.audit_seals WHERE "
      "organization_id = $1 "
      "ORDER BY seq",
      {p.org.admin.organization_id});
  // Every entry so far, its own request's included (audited in the request's transaction,
  // committed before the maker's snapshot).
  REQUIRE(audit.size() == expected.size());
  for (std::size_t i = 0; i < audit.size(); ++i) {
    CHECK(audit[i].at("id") == *expected[i][0]);
    CHECK(audit[i].at("hash") == *expected[i][1]);
    CHECK(audit[i].at("seq") == *expected[i][2]);
  }
  // In JSON: the same entries, with before and after as the JSON they were stored as.
  auto audit_json = json::parse(made(app, token, "AUDIT_EXPORT", "JSON", day, day)).as_object();
  const auto& entries = audit_json.at("rows").as_array();
  REQUIRE(entries.size() >= expected.size());  // and the requests made since
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(text_at(entries[i], "id") == *expected[i][0]);
    CHECK(entries[i].at("seq").as_int64() == std::stoll(*expected[i][2]));
    CHECK((entries[i].at("after").is_object() || entries[i].at("after").is_null()));
  }
  CHECK(csv_rows(made(app, token, "AUDIT_EXPORT", "CSV", "2025-01-01", "2025-12-31"),
                 "seq,id,createdAt,actorId,action,entityType,entityId,requestId,before,after,"
                 "prevHash,hash")
            .empty());
}

TEST_CASE("reports: roles, other organisations, bad input and downloads before READY") {
  TestApp app("reports-refusals", unthrottled());
  auto p = paid(app, "refusals");
  auto other = organisation(app, "other");
  auto& http = app.http();
  const auto& token = p.org.finance.access_token;
  auto report = request_report(app, token, "TAX_SUMMARY", "JSON", "2026-01-01", "2026-12-31");
  const auto id = text_at(report, "id");
  ready(app, token, id);

  // An employee may not; another organisation's admin finds nothing.
  const auto& employee_token = p.employees[0].token;
  CHECK(problem_fields(http.get(k_reports, employee_token), 403, "forbidden").empty());
  json::object body{{"kind", "TAX_SUMMARY"},
                    {"format", "CSV"},
                    {"periodStart", "2026-01-01"},
                    {"periodEnd", "2026-01-31"}};
  CHECK(problem_fields(http.post(k_reports, body, employee_token), 403, "forbidden").empty());
  for (const auto* suffix : {"", "/download"})
    CHECK(problem_fields(
              http.get(std::string(k_reports) + "/" + id + suffix, other.admin.access_token), 404,
              "not_found")
              .empty());
  CHECK(expect(http.get(k_reports, other.admin.access_token), 200).at("data").as_array().empty());
  auto listed = expect(http.get(k_reports, token), 200).at("data").as_array();
  REQUIRE(listed.size() == 1);
  CHECK(text_at(listed[0], "id") == id);

  // Bad input: named fields, nothing stored.
  const auto before = app.sql().count("SELECT count(*) FROM compliance.reports");
  auto refused = [&](json::object changed, const std::string& field) {
    auto bad = body;
    for (auto& [key, value] : changed) bad[key] = value;
    CHECK(
        problem_fields(http.post(k_reports, bad, token), 400, "validation_failed").contains(field));
  };
  refused({{"kind", "PAYSLIPS"}}, "kind");
  refused({{"kind", "LEGACY"}}, "kind");
  refused({{"format", "PDF"}}, "format");
  refused({{"periodEnd", "2025-12-31"}}, "periodEnd");
  refused({{"periodStart", "2026-02-30"}}, "periodStart");
  CHECK(app.sql().count("SELECT count(*) FROM compliance.reports") == before);

  // A report another instance is still making, and an imported legacy one: 409.
  auto running = app.sql().scalar(
      "INSERT INTO compliance.reports (id, organization_id, kind, format, period_start, "
      "period_end, status, attempts, lease_until) VALUES (gen_random_uuid(), $1, 'TAX_SUMMARY', "
      "'CSV', '2026-01-01', '2026-01-31', 'RUNNING', 1, now() + interval '1 hour') "
      "RETURNING id::text",
      {p.org.admin.organization_id});
  CHECK(problem_fields(http.get(std::string(k_reports) + "/" + *running + "/download", token), 409,
                       "invalid_state")
            .empty());
  auto legacy = app.sql().scalar(
      "INSERT INTO compliance.reports (id, organization_id, kind, format, period_start, "
      "period_end, status, legacy) VALUES (gen_random_uuid(), $1, 'LEGACY', 'PDF', "
      "'2025-01-01', '2025-01-31', 'READY', '{}') RETURNING id::text",
      {p.org.admin.organization_id});
  CHECK(problem_fields(http.get(std::string(k_reports) + "/" + *legacy + "/download", token), 409,
                       "invalid_state")
            .empty());
  CHECK(expect(http.get(std::string(k_reports) + "/" + *legacy, token), 200).at("kind") ==
        "LEGACY");
}
