// The served OpenAPI document against the real composition root: every route the server
// registers is documented, nothing undocumented is served, and the API's documented routes for
// the modules built so far are all there.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <utility>

#include "app/app.hpp"
#include "core/http/openapi.hpp"

using namespace payrollx;

namespace {

using Operation = std::pair<std::string, std::string>;  // lower-case method, path pattern

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Config app_config() {
  Config config;
  // The pool connects lazily: building the App needs no database.
  config.database_url = "postgresql://127.0.0.1:1/unused";
  config.jwt_secret = std::string(40, 's');
  return config;
}

// The API's documented routes of the modules this build contains (system, auth, organization, the
// audit and inbox leaves).
const std::set<Operation> k_contract{
    {"get", "/health/live"},
    {"get", "/health/ready"},
    {"get", "/metrics"},
    {"get", "/api/v1/openapi.json"},
    {"post", "/api/v1/auth/signup"},
    {"post", "/api/v1/auth/login"},
    {"post", "/api/v1/auth/refresh"},
    {"post", "/api/v1/auth/logout"},
    {"get", "/api/v1/auth/me"},
    {"post", "/api/v1/auth/password"},
    {"post", "/api/v1/auth/invitations/accept"},
    {"get", "/api/v1/users"},
    {"post", "/api/v1/users"},
    {"patch", "/api/v1/users/{id}"},
    {"get", "/api/v1/organization"},
    {"patch", "/api/v1/organization"},
    {"get", "/api/v1/organization/settings"},
    {"put", "/api/v1/organization/settings"},
    {"get", "/api/v1/admin/organizations"},
    {"get", "/api/v1/notifications"},
    {"post", "/api/v1/notifications/{id}/read"},
    {"post", "/api/v1/employees"},
    {"get", "/api/v1/employees"},
    {"get", "/api/v1/employees/{id}"},
    {"patch", "/api/v1/employees/{id}"},
    {"post", "/api/v1/employees/{id}/terminate"},
    {"post", "/api/v1/employees/import"},
    {"get", "/api/v1/employees/{id}/components"},
    {"put", "/api/v1/employees/{id}/components"},
    {"post", "/api/v1/employees/{id}/documents"},
    {"get", "/api/v1/employees/{id}/documents"},
    {"get", "/api/v1/employees/{id}/documents/{docId}/content"},
    {"post", "/api/v1/employees/{id}/kyc/approve"},
    {"post", "/api/v1/employees/{id}/kyc/reject"},
    {"put", "/api/v1/employees/{id}/wallet-address"},
    {"get", "/api/v1/me/employee"},
    {"get", "/api/v1/audit-logs"},
    {"get", "/api/v1/audit-logs/verify"},
    {"post", "/api/v1/compliance/tax-tables"},
    {"get", "/api/v1/compliance/tax-tables"},
    {"post", "/api/v1/payroll/schedules"},
    {"get", "/api/v1/payroll/schedules"},
    {"patch", "/api/v1/payroll/schedules/{id}"},
    {"post", "/api/v1/payroll/preview"},
    {"post", "/api/v1/payroll/runs"},
    {"get", "/api/v1/payroll/runs"},
    {"get", "/api/v1/payroll/runs/{id}"},
    {"get", "/api/v1/payroll/runs/{id}/items"},
    {"post", "/api/v1/payroll/runs/{id}/recalculate"},
    {"post", "/api/v1/payroll/runs/{id}/approve"},
    {"post", "/api/v1/payroll/runs/{id}/execute"},
    {"post", "/api/v1/payroll/runs/{id}/cancel"},
    {"post", "/api/v1/payroll/runs/{id}/reverse"},
    {"get", "/api/v1/payroll/runs/{id}/payslips/{employeeId}"},
    {"get", "/api/v1/me/payslips"},
};

}  // namespace

TEST_CASE(
    "openapi: the served document lists exactly the server's routes, the contract's included") {
  boost::asio::io_context io;
  App app(app_config(), io);
  auto doc = http::openapi_document(app.router());

  std::set<Operation> documented;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object())
      documented.emplace(std::string(method), std::string(path));

  std::set<Operation> routed;
  for (const auto& route : app.router().routes())
    routed.emplace(lower(route.method), std::string(route.pattern));

  for (const auto& op : routed) {
    INFO("served but not documented: " << op.first << " " << op.second);
    CHECK(documented.count(op) == 1);
  }
  for (const auto& op : documented) {
    INFO("documented but not served: " << op.first << " " << op.second);
    CHECK(routed.count(op) == 1);
  }
  for (const auto& op : k_contract) {
    INFO("route of the contract missing: " << op.first << " " << op.second);
    CHECK(routed.count(op) == 1);
  }
}
