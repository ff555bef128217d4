#pragma once
// Steps and checks shared by the employee end-to-end tests (tests/e2e/employee_*_test.cpp).
#include <fmt/format.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <string_view>

#include "test_app.hpp"

namespace payrollx::test::employee_e2e {

namespace json = boost::json;

constexpr auto k_employees = "/api/v1/employees";

// Every request of a test comes from 127.0.0.1: the per-address limit of login and invitation
// acceptance is lifted, or the tests' own set-up would be refused.
inline ServerSettings unthrottled() {
  ServerSettings settings;
  settings.env.emplace_back("PAYROLLX_AUTH_RATE_LIMIT", "1000000");
  return settings;
}

inline std::string text_at(const json::value& value, std::string_view key) {
  return std::string(value.at(key).as_string());
}

inline std::string employee_path(const std::string& id, std::string_view rest = "") {
  return fmt::format("{}/{}{}", k_employees, id, rest);
}

// A valid creation body; `who` makes the email unique.
inline json::object new_employee(const std::string& who, std::int64_t amount = 7500000,
                                 const std::string& currency = "USD") {
  return {{"firstName", "Ada"},
          {"lastName", who},
          {"email", who + "@staff.example.com"},
          {"hireDate", "2026-01-15"},
          {"salary", {{"amount", amount}, {"currency", currency}, {"period", "ANNUAL"}}}};
}

// POST /api/v1/employees that must succeed; the created employee.
inline json::object create_employee(HttpClient& http, const std::string& token,
                                    const json::object& body) {
  auto response = http.post(k_employees, body, token);
  INFO("create answered " << response.status << ": " << response.body);
  REQUIRE(response.status == 201);
  return response.json().as_object();
}

// An RFC 9457 problem with `status` and `code`.
inline void require_problem(const HttpResponse& response, int status, std::string_view code) {
  INFO("answered " << response.status << ": " << response.body);
  REQUIRE(response.status == status);
  REQUIRE(response.header("content-type").value_or("").starts_with("application/problem+json"));
  auto body = response.json();
  REQUIRE(body.at("code").as_string() == code);
}

// Row counts of the employee schema's tables and of what creating an employee also writes.
inline std::map<std::string, long long> written(Sql& sql) {
  std::map<std::string, long long> counts;
  for (const auto* table :
       {"employee.employees", "employee.components", "employee.documents", "wallet.wallets",
        "auth.users", "auth.invitations", "compliance.audit_logs", "notification.notifications"})
    counts[table] = sql.count(std::string("SELECT count(*) FROM ") + table);
  return counts;
}

// Audit entries with `action` about `entity_id`.
inline long long audited(Sql& sql, const std::string& action, const std::string& entity_id) {
  return sql.count(
      "SELECT count(*) FROM compliance.audit_logs WHERE action = $1 AND entity_id = $2",
      {action, entity_id});
}

inline void require_chain_ok(HttpClient& http, const std::string& admin_token) {
  auto verify = http.get("/api/v1/audit-logs/verify", admin_token);
  INFO(verify.body);
  REQUIRE(verify.status == 200);
  CHECK(verify.json().at("ok").as_bool());
}

}  // namespace payrollx::test::employee_e2e
