// GET /api/v1/audit-logs and GET /api/v1/audit-logs/verify.
#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/service.hpp"

namespace payrollx::compliance {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr std::size_t k_max_filter_length = 200;

// Reads the list's query filters; one error per bad parameter.
AuditFilter read_filter(const http::Request& request) {
  AuditFilter filter;
  std::vector<FieldError> errors;
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    auto value = request.query_param(name);
    if (!value) return std::nullopt;
    if (value->empty() || json::utf8_length(*value) > k_max_filter_length) {
      errors.push_back(
          {std::string(name), fmt::format("must be 1 to {} characters", k_max_filter_length)});
      return std::nullopt;
    }
    return std::string(*value);
  };
  auto uuid = [&](std::string_view name) -> std::optional<Uuid> {
    auto value = request.query_param(name);
    if (!value) return std::nullopt;
    auto id = Uuid::parse(*value);
    if (!id) errors.push_back({std::string(name), "must be a UUID"});
    return id;
  };
  auto timestamp = [&](std::string_view name) -> std::optional<Timestamp> {
    auto value = request.query_param(name);
    if (!value) return std::nullopt;
    auto instant = parse_timestamp(*value);
    if (!instant) errors.push_back({std::string(name), "must be an RFC 3339 timestamp"});
    return instant;
  };
  filter.entity_type = text("entityType");
  filter.entity_id = uuid("entityId");
  filter.actor_id = uuid("actorId");
  filter.action = text("action");
  filter.from = timestamp("from");
  filter.to = timestamp("to");
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return filter;
}

awaitable<http::Response> list_audit_logs(db::Pool& pool, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto filter = read_filter(ctx.request());
  std::optional<Uuid> after;
  if (page.after) after = page.after->id;
  auto entries = co_await list_entries(pool, ctx.user().org(), filter, after, page.limit + 1);

  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(entries.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(store::to_json(entries[i]));
  if (entries.size() > shown)
    next = http::Keyset{entries[shown - 1].link.created_at, entries[shown - 1].id};
  co_return http::Response::json(200, http::list_answer(std::move(data), next));
}

awaitable<http::Response> verify_audit_logs(db::Pool& pool, http::RequestContext& ctx) {
  auto verdict = co_await verify_chain(pool, ctx.user().org());
  boost::json::object answer{{"ok", verdict.ok}, {"checked", verdict.checked}};
  if (verdict.first_broken_id) answer["firstBrokenId"] = verdict.first_broken_id->str();
  co_return http::Response::json(200, answer);
}

boost::json::value entry_schema() {
  return schema::object({{"id", schema::uuid()},
                         {"seq", schema::integer(1)},
                         {"actorId", schema::nullable(schema::uuid())},
                         {"action", schema::string()},
                         {"entityType", schema::string()},
                         {"entityId", schema::nullable(schema::uuid())},
                         {"before", schema::nullable(schema::any_object())},
                         {"after", schema::nullable(schema::any_object())},
                         {"requestId", schema::nullable(schema::string())},
                         {"createdAt", schema::date_time()},
                         {"hash", schema::string(64, 64)}},
                        {"id", "seq", "actorId", "action", "entityType", "entityId", "before",
                         "after", "requestId", "createdAt", "hash"});
}

std::vector<http::QueryParamDoc> list_query_docs() {
  return http::page_query({
      {"entityType", "Only entries about this kind of entity (\"organization\", \"user\", ...).",
       schema::string(k_max_filter_length)},
      {"entityId", "Only entries about this entity.", schema::uuid()},
      {"actorId", "Only entries made by this user.", schema::uuid()},
      {"action", "Only this action (\"organization.updated\", ...).",
       schema::string(k_max_filter_length)},
      {"from", "Entries recorded at or after this instant (RFC 3339).", schema::date_time()},
      {"to", "Entries recorded at or before this instant (RFC 3339).", schema::date_time()},
  });
}

}  // namespace

void register_routes(http::Router& router, db::Pool& pool) {
  http::add_routes<db::Pool&>(
      router, "compliance", pool,
      {{.method = "GET",
        .pattern = "/api/v1/audit-logs",
        .access = http::Access::roles_of({Role::finance_manager}),
        .doc = {.summary = "List the organisation's audit log, newest first",
                .response_schema = schema::list_of(entry_schema()),
                .query = list_query_docs()},
        .handler = list_audit_logs},
       {.method = "GET",
        .pattern = "/api/v1/audit-logs/verify",
        .access = http::Access::roles_of({}),
        .doc = {.summary = "Recompute the organisation's audit hash chain",
                .response_schema = schema::object({{"ok", schema::boolean()},
                                                   {"checked", schema::integer(0)},
                                                   {"firstBrokenId", schema::uuid()}},
                                                  {"ok", "checked"})},
        .handler = verify_audit_logs}});
}

}  // namespace payrollx::compliance
