// The bad-input sweep: every route with a JSON body, as documented by the OpenAPI document the
// server itself serves, gets malformed, mistyped, incomplete, oversized and otherwise invalid
// bodies. Each must answer the documented 4xx problem, and the database must not change.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "problems.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::upper;

using payrollx::test::HttpResponse;
using payrollx::test::TestApp;
namespace json = boost::json;

struct BodyRoute {
  std::string method;
  std::string path;  // with {params} replaced
  json::object schema;
  bool super_admin_only;  // sent as the platform operator, the others as an ORG_ADMIN
};

// Whether the operation's x-roles are SUPER_ADMIN alone.
bool super_admin_only(const json::object& operation) {
  auto roles = operation.if_contains("x-roles");
  return roles && roles->as_array().size() == 1 && roles->as_array()[0] == "SUPER_ADMIN";
}

std::string fill_params(std::string path, const std::string& value) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    auto close = path.find('}', open);
    path.replace(open, close - open + 1, value);
  }
  return path;
}

std::vector<BodyRoute> json_body_routes(const json::object& document) {
  std::vector<BodyRoute> routes;
  for (const auto& [path, item] : document.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      const auto& op = operation.as_object();
      auto body = op.find("requestBody");
      if (body == op.end()) continue;
      const auto& content = body->value().at("content").as_object();
      auto json_content = content.find("application/json");
      if (json_content == content.end()) continue;
      const auto& schema = json_content->value().at("schema");
      if (!schema.is_object() || !schema.as_object().contains("properties")) continue;
      routes.push_back({upper(std::string(method)),
                        fill_params(std::string(path), "00000000-0000-4000-8000-000000000000"),
                        schema.as_object(), super_admin_only(op)});
    }
  }
  return routes;
}

// Row counts of every table of every module schema.
std::map<std::string, long long> snapshot(payrollx::test::Sql& sql) {
  std::map<std::string, long long> counts;
  auto tables = sql.rows(
      "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM "
      "information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema IN ('core', "
      "'auth', 'organization', 'employee', 'wallet', 'payroll', 'transaction', 'notification', "
      "'compliance')");
  for (const auto& row : tables) counts[*row[0]] = sql.count("SELECT count(*) FROM " + *row[0]);
  return counts;
}

bool names_field(const HttpResponse& response, const std::string& field) {
  auto problem = response.json();  // a range-for would not keep a temporary document alive
  for (const auto& error : problem.at("errors").as_array())
    if (json::value_to<std::string>(error.at("field")).starts_with(field)) return true;
  return false;
}

void require_problem(const HttpResponse& response, int status, const std::string& code,
                     const std::string& what) {
  INFO(what << " -> " << response.status << " " << response.body);
  REQUIRE(response.status == status);
  REQUIRE(response.header("content-type").value_or("").starts_with("application/problem+json"));
  auto body = response.json().as_object();
  REQUIRE(body.at("code").as_string() == code);
  REQUIRE(body.at("status").as_int64() == status);
  REQUIRE(body.contains("requestId"));
}

// A value of the wrong JSON type for a property schema.
json::value wrong_type_for(const json::object& property) {
  auto type = property.if_contains("type");
  if (type && type->is_string() && type->as_string() == "string") return 12345;
  return "definitely-wrong-type";
}

}  // namespace

TEST_CASE("bad input: every JSON body route refuses bad bodies and writes nothing", "[e2e]") {
  payrollx::test::ServerSettings settings;
  settings.env = {{"PAYROLLX_AUTH_RATE_LIMIT", "100000"}};
  TestApp app("bad_input", settings);
  auto admin = app.signup("badinput");
  auto operator_token = app.super_admin().access_token;
  auto openapi = app.http().get("/api/v1/openapi.json");
  REQUIRE(openapi.status == 200);
  auto routes = json_body_routes(openapi.json().as_object());
  REQUIRE(routes.size() >= 8);  // auth, users, organization, settings, ... at least

  auto before = snapshot(app.sql());
  auto& http = app.http();
  for (const auto& route : routes) {
    const auto& token = route.super_admin_only ? operator_token : admin.access_token;
    const std::string where = route.method + " " + route.path;
    auto send = [&](const std::string& body) {
      return http.request(route.method, route.path, body, {}, token);
    };

    require_problem(send("{\"a\":"), 400, "validation_failed", where + " malformed JSON");
    require_problem(send("[1,2,3]"), 400, "validation_failed", where + " array body");
    require_problem(send("{\"x\":\"\xff\xfe\"}"), 400, "validation_failed", where + " bad UTF-8");
    require_problem(
        http.request(route.method, route.path, "{}", {{"Content-Type", "text/plain"}}, token), 415,
        "unsupported_media_type", where + " text/plain");
    require_problem(send(std::string(2 * 1024 * 1024, ' ') + "{}"), 413, "payload_too_large",
                    where + " 2 MiB body");

    auto unknown = send("{\"definitelyUnknownField\":1}");
    require_problem(unknown, 400, "validation_failed", where + " unknown field");
    CHECK(names_field(unknown, "definitelyUnknownField"));

    if (auto required = route.schema.if_contains("required")) {
      auto missing = send("{}");
      require_problem(missing, 400, "validation_failed", where + " missing fields");
      for (const auto& name : required->as_array())
        CHECK(names_field(missing, std::string(name.as_string())));
    }

    for (const auto& [name, property_value] : route.schema.at("properties").as_object()) {
      if (!property_value.is_object()) continue;
      const auto& property = property_value.as_object();
      const std::string field(name);
      json::object body;
      body[name] = wrong_type_for(property);
      auto mistyped = send(json::serialize(body));
      require_problem(mistyped, 400, "validation_failed", where + " wrong type of " + field);
      CHECK(names_field(mistyped, field));

      if (auto max = property.if_contains("maxLength")) {
        body[name] = std::string(static_cast<std::size_t>(max->to_number<std::int64_t>()) + 1, 'a');
        auto too_long = send(json::serialize(body));
        require_problem(too_long, 400, "validation_failed", where + " too long " + field);
        CHECK(names_field(too_long, field));
      }
      if (property.contains("enum")) {
        body[name] = "NOT_A_VALUE";
        auto bad_enum = send(json::serialize(body));
        require_problem(bad_enum, 400, "validation_failed", where + " bad enum " + field);
        CHECK(names_field(bad_enum, field));
      }
      if (auto format = property.if_contains("format"); format && format->as_string() == "uuid") {
        body[name] = "not-a-uuid";
        auto bad_uuid = send(json::serialize(body));
        require_problem(bad_uuid, 400, "validation_failed", where + " bad uuid " + field);
        CHECK(names_field(bad_uuid, field));
      }
      if (auto format = property.if_contains("format"); format && format->as_string() == "date") {
        body[name] = "2026-02-30";
        auto bad_date = send(json::serialize(body));
        require_problem(bad_date, 400, "validation_failed", where + " bad date " + field);
        CHECK(names_field(bad_date, field));
      }
    }
  }
  CHECK(snapshot(app.sql()) == before);
}

TEST_CASE("bad input: a malformed id in a path is a 400 problem naming the parameter", "[e2e]") {
  TestApp app("bad_path_id");
  auto admin = app.signup("badpath");
  auto operator_token = app.super_admin().access_token;
  auto openapi = app.http().get("/api/v1/openapi.json").json().as_object();
  int checked = 0;
  for (const auto& [path, item] : openapi.at("paths").as_object()) {
    if (std::string(path).find('{') == std::string::npos) continue;
    for (const auto& [method, operation] : item.as_object()) {
      bool uuid_param = false;
      if (auto params = operation.as_object().if_contains("parameters"))
        for (const auto& p : params->as_array())
          if (p.at("in").as_string() == "path" &&
              p.at("schema").as_object().if_contains("format") &&
              p.at("schema").at("format").as_string() == "uuid")
            uuid_param = true;
      if (!uuid_param) continue;
      auto target = fill_params(std::string(path), "not-a-uuid");
      INFO(std::string(method) << " " << target);
      const auto& token =
          super_admin_only(operation.as_object()) ? operator_token : admin.access_token;
      auto response = app.http().request(upper(std::string(method)), target, "{}", {}, token);
      require_problem(response, 400, "validation_failed", std::string(method) + " " + target);
      ++checked;
    }
  }
  CHECK(checked >= 2);
}

TEST_CASE("bad input: malformed HTTP and oversized headers get problems, not dropped sockets",
          "[e2e]") {
  TestApp app("bad_http");
  auto garbage = app.http().raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(garbage.status == 400);
  auto huge_header = app.http().raw(
      "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n");
  CHECK(huge_header.status == 431);
  // The server still serves afterwards.
  CHECK(app.http().get("/health/live").status == 200);
}
