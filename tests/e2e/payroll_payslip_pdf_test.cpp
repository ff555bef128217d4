// The payslip as a PDF (Accept: application/pdf on the payslip route): one page of real text
// that poppler's pdftotext reads back — the organisation, the employee (accents included), the
// period, every line, gross, tax, net and year to date, amounts in major units.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/money.hpp"
#include "payroll_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;

// The output of a shell command (poppler's tools).
std::string command_output(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  REQUIRE(pipe);
  char buffer[4096];
  for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0;)
    output.append(buffer, n);
  return output;
}

HttpResponse payslip_pdf(HttpClient& http, const std::string& token, const std::string& run_id,
                         const std::string& employee_id) {
  return http.request("GET", run_path(run_id, "/payslips/" + employee_id), "",
                      {{"Accept", "application/pdf"}}, token);
}

}  // namespace

TEST_CASE("payslip PDF: one page whose text holds the organisation, the employee and the net") {
  TestApp app("payslip-pdf", unthrottled());
  auto& http = app.http();
  auto org = organisation(app, "pdf");
  auto zoe = hire(app, org, "zoe", "2026-01-05", true);
  expect(
      http.patch("/api/v1/employees/" + zoe.id,
                 json::object{{"firstName", "Zoë"}, {"lastName", "Ångström"}}, org.hr.access_token),
      200);
  auto other = hire(app, org, "otto", "2026-01-05", true);
  auto run_id = text_at(draft_regular(app, org, monthly_schedule(app, org)), "id");
  expect(ledger::deposit(http, org.finance.access_token, org.treasury, 100'000'000), 201);
  expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  expect(execute(http, org.finance.access_token, run_id), 200);
  auto payslip = expect(http.get(run_path(run_id, "/payslips/" + zoe.id), zoe.token), 200);

  auto pdf = payslip_pdf(http, zoe.token, run_id, zoe.id);
  REQUIRE(pdf.status == 200);
  CHECK(pdf.header("content-type").value_or("") == "application/pdf");
  CHECK(pdf.header("content-disposition").value_or("").starts_with("inline; filename="));
  REQUIRE(pdf.body.starts_with("%PDF-"));
  const auto path = std::filesystem::temp_directory_path() / fmt::format("payslip-{}.pdf", zoe.id);
  std::ofstream(path, std::ios::binary) << pdf.body;
  CHECK(command_output(fmt::format("pdfinfo '{}'", path.string())).find("Pages:           1") !=
        std::string::npos);
  const auto text = command_output(fmt::format("pdftotext -layout '{}' -", path.string()));
  std::filesystem::remove(path);
  INFO(text);
  auto organization =
      expect(http.get("/api/v1/organization", org.admin.access_token), 200).at("name");
  CHECK(text.find(std::string(organization.as_string())) != std::string::npos);
  CHECK(text.find("Zoë Ångström") != std::string::npos);
  CHECK(text.find("2026-02-01 to 2026-02-28") != std::string::npos);
  CHECK(text.find("2026-02-27") != std::string::npos);
  for (const auto* key : {"gross", "tax", "net"})
    CHECK(text.find(payrollx::major_units(payslip.at(key).as_int64(), 2) + " USD") !=
          std::string::npos);
  for (const auto& line : payslip.at("lines").as_array())
    CHECK(text.find(std::string(line.at("name").as_string())) != std::string::npos);
  CHECK(text.find("Year to date (2026)") != std::string::npos);
  CHECK(text.find(payrollx::major_units(payslip.at("yearToDate").at("net").as_int64(), 2) +
                  " USD") != std::string::npos);

  // Another employee's payslip is as absent in PDF as in JSON; HR reads anyone's.
  CHECK(problem_fields(payslip_pdf(http, zoe.token, run_id, other.id), 404, "not_found").empty());
  CHECK(payslip_pdf(http, org.hr.access_token, run_id, other.id).status == 200);
}
