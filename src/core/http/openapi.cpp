#include "core/http/openapi.hpp"

#include <fmt/format.h>

#include <cctype>
#include <set>

#include "core/http/router.hpp"

namespace payrollx::http {
namespace {

namespace json = boost::json;

constexpr std::string_view k_problem_ref = "#/components/schemas/Problem";

std::vector<std::string_view> split_path(std::string_view pattern) {
  std::vector<std::string_view> segments;
  while (!pattern.empty()) {
    pattern.remove_prefix(1);  // the '/'
    auto slash = pattern.find('/');
    segments.push_back(pattern.substr(0, slash));
    pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash);
  }
  return segments;
}

std::optional<std::string_view> parameter_name(std::string_view segment) {
  if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}')
    return segment.substr(1, segment.size() - 2);
  return std::nullopt;
}

// Ids are UUIDs ("id", "employeeId", "docId"); other parameters ("eventType") are strings.
json::value path_parameter_schema(std::string_view name) {
  bool is_id = name == "id" || (name.size() > 2 && name.ends_with("Id"));
  if (is_id) return json::object{{"type", "string"}, {"format", "uuid"}};
  return json::object{{"type", "string"}};
}

// "audit-logs" → "AuditLogs", "{id}" → "ById".
std::string pascal_case(std::string_view segment) {
  std::string out;
  if (auto name = parameter_name(segment)) {
    out = "By";
    segment = *name;
  }
  bool upper = true;
  for (char c : segment) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// "GET /api/v1/users/{id}" → "getUsersById".
std::string operation_id(const Route& route) {
  std::string id;
  for (char c : route.method) id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto segments = split_path(route.pattern);
  std::size_t first = segments.size() >= 2 && segments[0] == "api" && segments[1] == "v1" ? 2 : 0;
  for (std::size_t i = first; i < segments.size(); ++i) id += pascal_case(segments[i]);
  return id;
}

json::object problem_answer(std::string_view description) {
  return json::object{
      {"description", description},
      {"content", json::object{{"application/problem+json",
                                json::object{{"schema", json::object{{"$ref", k_problem_ref}}}}}}},
  };
}

json::object problem_schema() {
  json::object field_error{
      {"type", "object"},
      {"required", json::array{"field", "message"}},
      {"properties", json::object{{"field", json::object{{"type", "string"}}},
                                  {"message", json::object{{"type", "string"}}}}},
  };
  return json::object{
      {"type", "object"},
      {"description",
       "An RFC 9457 problem document. Some problems add members (e.g. insufficient_funds adds "
       "required and available)."},
      {"required", json::array{"type", "title", "status", "detail", "code", "requestId", "errors"}},
      {"properties",
       json::object{
           {"type", json::object{{"type", "string"}, {"format", "uri"}}},
           {"title", json::object{{"type", "string"}}},
           {"status", json::object{{"type", "integer"}}},
           {"detail", json::object{{"type", "string"}}},
           {"code",
            json::object{{"type", "string"}, {"description", "A stable snake_case machine code."}}},
           {"requestId", json::object{{"type", "string"}}},
           {"errors", json::object{{"type", "array"}, {"items", std::move(field_error)}}},
       }},
      {"additionalProperties", true},
  };
}

json::array parameters_of(const Route& route) {
  json::array parameters;
  for (auto segment : split_path(route.pattern))
    if (auto name = parameter_name(segment))
      parameters.push_back(json::object{{"name", *name},
                                        {"in", "path"},
                                        {"required", true},
                                        {"schema", path_parameter_schema(*name)}});
  for (const auto& query : route.doc.query)
    parameters.push_back(json::object{{"name", query.name},
                                      {"in", "query"},
                                      {"required", false},
                                      {"description", query.description},
                                      {"schema", query.schema}});
  if (route.doc.idempotency_key_required)
    parameters.push_back(json::object{
        {"name", "Idempotency-Key"},
        {"in", "header"},
        {"required", true},
        {"description",
         "Makes the request safe to retry: the same key and body within 24 h answer the first "
         "response again; the same key with another body is 409 idempotency_key_reused."},
        {"schema", json::object{{"type", "string"}, {"minLength", 1}, {"maxLength", 255}}},
    });
  return parameters;
}

json::object responses_of(const Route& route) {
  const auto& doc = route.doc;
  bool has_body = !doc.request_schema.is_null();
  bool has_path_parameters = route.pattern.find('{') != std::string::npos;

  json::object success{{"description", doc.summary.empty() ? "Success" : doc.summary}};
  if (doc.success_status != 204 && !doc.response_schema.is_null())
    success["content"] =
        json::object{{"application/json", json::object{{"schema", doc.response_schema}}}};

  if (route.carries_secret)
    success["headers"] = json::object{
        {"Cache-Control",
         json::object{{"description", "The answer carries a token or a secret: never stored."},
                      {"schema", json::object{{"type", "string"}, {"const", "no-store"}}}}}};

  json::object responses;
  responses[std::to_string(doc.success_status)] = std::move(success);
  responses["400"] = problem_answer("The request is not valid (validation_failed).");
  if (route.access.authenticated)
    responses["401"] = problem_answer("A valid bearer access token is required.");
  // Every member of a suspended organisation is refused, whatever the route.
  if (!route.access.roles.empty())
    responses["403"] = problem_answer(
        "The caller's role may not do this (forbidden), or the caller's organisation is "
        "suspended (organization_suspended).");
  else if (route.access.authenticated)
    responses["403"] =
        problem_answer("The caller's organisation is suspended (organization_suspended).");
  // Ids in the path or in the body (a transfer's wallets, a run's schedule) may name nothing the
  // caller's organisation has.
  if (has_path_parameters || has_body)
    responses["404"] = problem_answer(
        "A resource the request names does not exist (or belongs to another organisation).");
  if (route.method != "GET")
    responses["409"] = problem_answer("The request conflicts with the current state.");
  if (has_body) {
    responses["413"] = problem_answer("The body is larger than the limit.");
    responses["415"] = problem_answer("The body's Content-Type is not accepted.");
  }
  responses["429"] = problem_answer("Too many requests; see Retry-After.");
  responses["500"] = problem_answer("An unexpected error; it has been logged.");
  responses["503"] = problem_answer("The service or its database is unavailable.");
  return responses;
}

json::object operation_of(const Route& route, std::string id) {
  const auto& doc = route.doc;
  json::object operation{{"operationId", std::move(id)}, {"summary", doc.summary}};
  if (!doc.tag.empty()) operation["tags"] = json::array{json::string(doc.tag)};
  if (!route.access.roles.empty()) {
    json::array roles;
    for (auto role : route.access.roles) roles.emplace_back(to_string(role));
    operation["x-roles"] = std::move(roles);
  }
  auto parameters = parameters_of(route);
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  if (!doc.request_schema.is_null())
    operation["requestBody"] = json::object{
        {"required", true},
        {"content",
         json::object{{doc.request_content_type, json::object{{"schema", doc.request_schema}}}}},
    };
  operation["responses"] = responses_of(route);
  operation["security"] = route.access.authenticated
                              ? json::array{json::object{{"bearerAuth", json::array{}}}}
                              : json::array{};
  return operation;
}

std::string lower(std::string_view text) {
  std::string out;
  for (char c : text) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

json::object openapi_document(const Router& router) {
  json::object paths;
  std::set<std::string> operation_ids;
  std::set<std::string> tags;
  for (const auto& route : router.routes()) {
    // Distinct routes may spell alike ("/a-b" and "/aB"); a suffix keeps ids unique.
    auto id = operation_id(route);
    for (int n = 2; operation_ids.contains(id); ++n)
      id = fmt::format("{}{}", operation_id(route), n);
    operation_ids.insert(id);
    if (!route.doc.tag.empty()) tags.insert(route.doc.tag);

    auto& item = paths[route.pattern];
    if (!item.is_object()) item = json::object{};
    item.as_object()[lower(route.method)] = operation_of(route, std::move(id));
  }

  json::array tag_list;
  for (const auto& tag : tags) tag_list.push_back(json::object{{"name", tag}});

  return json::object{
      {"openapi", "3.1.0"},
      {"info",
       json::object{
           {"title", "PayrollX"},
           {"version", PAYROLLX_VERSION},
           {"description",
            "Payroll and payouts API. Amounts are integers in minor units next to a currency "
            "code; errors are RFC 9457 problem documents; lists take limit and cursor."},
       }},
      {"tags", std::move(tag_list)},
      {"paths", std::move(paths)},
      {"components",
       json::object{
           {"securitySchemes", json::object{{"bearerAuth", json::object{{"type", "http"},
                                                                        {"scheme", "bearer"},
                                                                        {"bearerFormat", "JWT"}}}}},
           {"schemas", json::object{{"Problem", problem_schema()}}},
       }},
  };
}

}  // namespace payrollx::http
