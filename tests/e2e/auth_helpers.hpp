#pragma once
// Steps and checks shared by the auth end-to-end tests (tests/e2e/auth_*_test.cpp).
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "test_app.hpp"

namespace payrollx::test::auth_e2e {

namespace json = boost::json;

// Every request of a test comes from 127.0.0.1: tests that are not about throttling lift the
// per-address limit, or their own set-up would be refused.
inline ServerSettings unthrottled(ServerSettings settings = {}) {
  settings.env.emplace_back("PAYROLLX_AUTH_RATE_LIMIT", "1000000");
  return settings;
}

inline std::string text_at(const json::value& value, std::string_view key) {
  return std::string(value.at(key).as_string());
}

// An RFC 9457 problem (application/problem+json) with `status` and the stable snake_case `code`.
inline void require_problem(const HttpResponse& response, int status, std::string_view code) {
  INFO("answered " << response.status << ": " << response.body);
  REQUIRE(response.status == status);
  REQUIRE(response.header("content-type").value_or("").starts_with("application/problem+json"));
  const auto body = response.json();
  REQUIRE(body.at("code").as_string() == code);
  REQUIRE(body.at("status").as_int64() == status);
  REQUIRE(body.at("requestId").as_string() == response.header("x-request-id").value_or("?"));
}

// Whether a 400 problem has an errors[] entry for `field`.
inline bool names_field(const HttpResponse& response, std::string_view field) {
  const auto body = response.json();  // kept: the loop must not outlive it
  for (const auto& error : body.at("errors").as_array())
    if (error.at("field").as_string() == field) return true;
  return false;
}

inline HttpResponse login(HttpClient& http, const std::string& email, const std::string& password) {
  return http.post("/api/v1/auth/login", json::object{{"email", email}, {"password", password}});
}

inline HttpResponse refresh(HttpClient& http, const std::string& refresh_token) {
  return http.post("/api/v1/auth/refresh", json::object{{"refreshToken", refresh_token}});
}

// Rows of auth.audit_logs recording `event` for `user_id`.
inline long long security_events(Sql& sql, const std::string& user_id, const std::string& event) {
  return sql.count("SELECT count(*) FROM auth.audit_logs WHERE user_id = $1 AND event = $2",
                   {user_id, event});
}

// What a refused request must not have created.
struct Written {
  long long users = 0;
  long long organizations = 0;
  long long invitations = 0;
  long long refresh_tokens = 0;
  bool operator==(const Written&) const = default;
};

inline Written written(Sql& sql) {
  return {.users = sql.count("SELECT count(*) FROM auth.users"),
          .organizations = sql.count("SELECT count(*) FROM organization.organizations"),
          .invitations = sql.count("SELECT count(*) FROM auth.invitations"),
          .refresh_tokens = sql.count("SELECT count(*) FROM auth.refresh_tokens")};
}

}  // namespace payrollx::test::auth_e2e
