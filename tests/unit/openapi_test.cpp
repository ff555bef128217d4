#include "core/http/openapi.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "core/http/router.hpp"
#include "core/http/schema.hpp"

using namespace payrollx;
using namespace payrollx::http;

namespace {

Handler no_content() {
  return
      [](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response::no_content(); };
}

Router sample_router() {
  Router router;
  router.add(Route{.method = "GET",
                   .pattern = "/health/live",
                   .access = Access::anyone(),
                   .doc = {.summary = "Liveness", .tag = "system"},
                   .handler = no_content()});
  router.add(Route{.method = "GET",
                   .pattern = "/api/v1/users",
                   .access = Access::roles_of({Role::org_admin}),
                   .doc = {.summary = "List users",
                           .tag = "auth",
                           .response_schema = schema::list_of(schema::any_object()),
                           .query = {{"limit", "Page size", schema::integer(1)}}},
                   .handler = no_content()});
  router.add(Route{.method = "PATCH",
                   .pattern = "/api/v1/users/{id}",
                   .access = Access::roles_of({Role::org_admin}),
                   .doc = {.summary = "Change a user",
                           .tag = "auth",
                           .request_schema = schema::object({{"role", schema::string()}}),
                           .response_schema = schema::any_object()},
                   .handler = no_content()});
  router.add(Route{.method = "GET",
                   .pattern = "/api/v1/notifications/templates/{eventType}",
                   .access = Access::any_user(),
                   .doc = {.summary = "A template", .tag = "notification"},
                   .handler = no_content()});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/wallets/{id}/deposits",
                   .access = Access::roles_of({Role::finance_manager}),
                   .doc = {.summary = "Deposit",
                           .tag = "wallet",
                           .request_schema = schema::object({{"amount", schema::integer(1)}}),
                           .response_schema = schema::any_object(),
                           .success_status = 201,
                           .idempotency_key_required = true},
                   .handler = no_content()});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/auth/logout",
                   .access = Access::anyone(),
                   .doc = {.summary = "Log out",
                           .tag = "auth",
                           .request_schema = schema::object({{"refreshToken", schema::string()}}),
                           .success_status = 204},
                   .handler = no_content()});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/auth/refresh",
                   .access = Access::anyone(),
                   .doc = {.summary = "Refresh",
                           .tag = "auth",
                           .request_schema = schema::object({{"refreshToken", schema::string()}}),
                           .response_schema = schema::any_object()},
                   .handler = no_content(),
                   .carries_secret = true});
  return router;
}

const boost::json::object& operation(const boost::json::object& doc, std::string_view path,
                                     std::string_view method) {
  return doc.at("paths").at(path).at(method).as_object();
}

const boost::json::object* parameter(const boost::json::object& op, std::string_view name) {
  if (!op.contains("parameters")) return nullptr;
  for (const auto& p : op.at("parameters").as_array())
    if (p.at("name").as_string() == name) return &p.as_object();
  return nullptr;
}

}  // namespace

TEST_CASE("openapi: every route is in the document") {
  auto router = sample_router();
  auto doc = openapi_document(router);
  CHECK(doc.at("openapi") == "3.1.0");
  CHECK(doc.at("info").at("title") == "PayrollX");
  CHECK(doc.at("info").at("version") == PAYROLLX_VERSION);

  std::size_t operations = 0;
  std::set<std::string> ids;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) {
      ++operations;
      ids.insert(std::string(op.at("operationId").as_string()));
    }
  CHECK(operations == router.routes().size());
  CHECK(ids.size() == operations);  // operation ids are unique
  for (const auto& route : router.routes()) {
    std::string method;
    for (char c : route.method) method += static_cast<char>(std::tolower(c));
    INFO(route.method << " " << route.pattern);
    CHECK(doc.at("paths").as_object().at(route.pattern).as_object().contains(method));
  }
  CHECK(operation(doc, "/api/v1/users/{id}", "patch").at("operationId") == "patchUsersById");
}

TEST_CASE("openapi: parameters, bodies and security are declared") {
  auto doc = openapi_document(sample_router());

  auto& patch = operation(doc, "/api/v1/users/{id}", "patch");
  auto* id = parameter(patch, "id");
  REQUIRE(id);
  CHECK(id->at("in") == "path");
  CHECK(id->at("required") == true);
  CHECK(id->at("schema").at("format") == "uuid");
  CHECK(patch.at("requestBody").at("content").as_object().contains("application/json"));
  CHECK(patch.at("security").at(0).as_object().contains("bearerAuth"));
  CHECK(patch.at("x-roles").as_array() == boost::json::array{"ORG_ADMIN"});

  auto* event_type =
      parameter(operation(doc, "/api/v1/notifications/templates/{eventType}", "get"), "eventType");
  REQUIRE(event_type);
  CHECK(event_type->at("schema").at("type") == "string");
  CHECK_FALSE(event_type->at("schema").as_object().contains("format"));

  auto* limit = parameter(operation(doc, "/api/v1/users", "get"), "limit");
  REQUIRE(limit);
  CHECK(limit->at("in") == "query");

  auto& deposit = operation(doc, "/api/v1/wallets/{id}/deposits", "post");
  auto* key = parameter(deposit, "Idempotency-Key");
  REQUIRE(key);
  CHECK(key->at("in") == "header");
  CHECK(key->at("required") == true);
  CHECK(deposit.at("responses").as_object().contains("201"));

  auto& live = operation(doc, "/health/live", "get");
  CHECK(live.at("security").as_array().empty());
  CHECK_FALSE(live.at("responses").as_object().contains("401"));

  auto& logout = operation(doc, "/api/v1/auth/logout", "post");
  CHECK_FALSE(logout.at("responses").at("204").as_object().contains("content"));
}

TEST_CASE("openapi: problem responses reference the Problem schema") {
  auto doc = openapi_document(sample_router());
  auto& problem = doc.at("components").at("schemas").at("Problem").as_object();
  for (auto member : {"type", "title", "status", "detail", "code", "requestId", "errors"})
    CHECK(problem.at("properties").as_object().contains(member));
  auto& scheme = doc.at("components").at("securitySchemes").at("bearerAuth");
  CHECK(scheme.at("scheme") == "bearer");
  CHECK(scheme.at("bearerFormat") == "JWT");

  auto& patch = operation(doc, "/api/v1/users/{id}", "patch").at("responses").as_object();
  for (auto status : {"400", "401", "403", "404", "409", "413", "415", "429", "500", "503"}) {
    INFO(status);
    REQUIRE(patch.contains(status));
    CHECK(patch.at(status).at("content").at("application/problem+json").at("schema").at("$ref") ==
          "#/components/schemas/Problem");
  }
  auto& list = operation(doc, "/api/v1/users", "get").at("responses").as_object();
  CHECK_FALSE(list.contains("404"));  // no path parameter, no body naming ids
  // Ids in a body may name nothing (a transfer's wallets): 404 is documented.
  auto& refresh = operation(doc, "/api/v1/auth/refresh", "post").at("responses").as_object();
  CHECK(refresh.contains("404"));
  CHECK(refresh.at("200").at("headers").at("Cache-Control").at("schema").at("const") == "no-store");
  CHECK_FALSE(list.at("200").as_object().contains("headers"));
  CHECK_FALSE(list.contains("413"));  // no body
  CHECK(list.at("200").at("content").at("application/json").at("schema").at("type") == "object");
}
