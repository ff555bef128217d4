// /api/v1/webhooks (ORG_ADMIN): an organisation's endpoints, their deliveries and redelivery.
// The secret is answered once, by the POST that creates it.
#include <boost/json/array.hpp>
#include <set>

#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "core/offload.hpp"
#include "modules/notification/expansion.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/queue_store.hpp"
#include "modules/notification/routes.hpp"
#include "modules/notification/templates.hpp"
#include "modules/notification/webhook_signature.hpp"
#include "modules/notification/webhook_url.hpp"

namespace payrollx::notification {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr json::StringRule k_url_rule{1, k_max_url_length};
constexpr std::string_view k_all_events = "*";

boost::json::value optional_time(const std::optional<Timestamp>& at) {
  return at ? boost::json::value(to_rfc3339(*at)) : boost::json::value(nullptr);
}

boost::json::object endpoint_json(const outbox_store::Endpoint& endpoint) {
  boost::json::array events;
  for (const auto& event : endpoint.events) events.emplace_back(event);
  return {{"id", endpoint.id.str()},
          {"url", endpoint.url},
          {"events", std::move(events)},
          {"createdAt", to_rfc3339(endpoint.created_at)}};
}

boost::json::object delivery_json(const outbox_store::Delivery& delivery) {
  return {
      {"id", delivery.id.str()},
      {"eventId", delivery.event_id.str()},
      {"eventType", delivery.event_type},
      {"status", outbox_store::to_string(delivery.status)},
      {"attempts", delivery.attempts},
      {"lastStatusCode", delivery.last_status_code ? boost::json::value(*delivery.last_status_code)
                                                   : boost::json::value(nullptr)},
      {"lastError", delivery.last_error ? boost::json::value(*delivery.last_error)
                                        : boost::json::value(nullptr)},
      {"nextAttemptAt", optional_time(delivery.next_attempt_at)},
      {"deliveredAt", optional_time(delivery.delivered_at)},
      {"createdAt", to_rfc3339(delivery.created_at)}};
}

// The events an endpoint takes: event types (templates.hpp), or "*" alone.
std::vector<std::string> read_events(json::FieldReader& reader) {
  std::vector<std::string> events;
  const auto* listed = reader.required_array("events", 64);
  if (!listed) return events;
  if (listed->empty()) reader.fail("events", "must name at least one event type, or \"*\"");
  std::set<std::string> seen;
  for (const auto& item : *listed) {
    if (!item.is_string() ||
        !(item.as_string() == k_all_events || is_event_type(std::string_view(item.as_string())))) {
      reader.fail("events", "each must be an event type of the API, or \"*\"");
      break;
    }
    if (seen.insert(std::string(item.as_string())).second) events.emplace_back(item.as_string());
  }
  if (seen.contains(std::string(k_all_events)) && seen.size() > 1)
    reader.fail("events", "\"*\" takes every event: list it alone");
  return events;
}

awaitable<http::Response> create_endpoint(RouteParts parts, http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto url = reader.required_string("url", k_url_rule);
  auto events = read_events(reader);
  reader.finish();
  const bool allow_private = parts.options.webhook_allow_private;
  // The host is resolved (blocking) off the io threads.
  auto problem = co_await offload([&] { return check_webhook_url(*url, allow_private); });
  if (problem) throw validation_failed("url", *problem);
  auto secret = new_webhook_secret();
  auto endpoint = co_await outbox_store::insert_endpoint(parts.pool, ctx.user().org(), *url, events,
                                                         secret, ctx.user().user_id);
  auto answer = endpoint_json(endpoint);
  answer["secret"] = secret;
  co_return http::Response::json(201, answer);
}

awaitable<http::Response> list_endpoints(RouteParts parts, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto endpoints = co_await outbox_store::list_endpoints(parts.pool, ctx.user().org(), page);
  co_return http::Response::json(200, http::list_page(endpoints, page.limit, endpoint_json));
}

awaitable<outbox_store::Endpoint> endpoint_of(const RouteParts& parts,
                                              const http::RequestContext& ctx) {
  const auto id = ctx.id_param("id");
  auto found = co_await outbox_store::endpoint(parts.pool, ctx.user().org(), id);
  if (!found) throw not_found("The webhook endpoint does not exist.");
  co_return std::move(*found);
}

awaitable<http::Response> get_endpoint(RouteParts parts, http::RequestContext& ctx) {
  auto endpoint = co_await endpoint_of(parts, ctx);
  co_return http::Response::json(200, endpoint_json(endpoint));
}

// (Each co_await stands alone in a statement, its operands evaluated before: GCC 12 crashes a
// coroutine whose co_await, inside an if's condition, has an operand that throws.)
awaitable<http::Response> delete_endpoint(RouteParts parts, http::RequestContext& ctx) {
  const auto id = ctx.id_param("id");
  const auto deleted = co_await outbox_store::delete_endpoint(parts.pool, ctx.user().org(), id);
  if (!deleted) throw not_found("The webhook endpoint does not exist.");
  co_return http::Response::no_content();
}

awaitable<http::Response> list_deliveries(RouteParts parts, http::RequestContext& ctx) {
  auto endpoint = co_await endpoint_of(parts, ctx);
  auto page = http::page_request(ctx);
  // A large fan-out committed a moment ago may still be a record: its deliveries are made now,
  // so the list shows every delivery of committed work.
  const bool recorded = co_await queue_store::has_webhook_fanouts(parts.pool, ctx.user().org());
  if (recorded) co_await expand_webhooks_of(parts.pool, ctx.user().org());
  auto deliveries =
      co_await outbox_store::list_deliveries(parts.pool, ctx.user().org(), endpoint.id, page);
  co_return http::Response::json(200, http::list_page(deliveries, page.limit, delivery_json));
}

awaitable<http::Response> redeliver(RouteParts parts, http::RequestContext& ctx) {
  const auto delivery_id = ctx.id_param("deliveryId");
  auto endpoint = co_await endpoint_of(parts, ctx);
  auto queued =
      co_await outbox_store::redeliver(parts.pool, ctx.user().org(), endpoint.id, delivery_id);
  if (!queued.delivery) throw not_found("The delivery does not exist.");
  if (!queued.was_failed) throw invalid_state("Only a FAILED delivery can be queued again.");
  co_return http::Response::json(200, delivery_json(*queued.delivery));
}

boost::json::value endpoint_schema(bool with_secret) {
  auto properties = schema::object({{"id", schema::uuid()},
                                    {"url", schema::string(k_url_rule)},
                                    {"events", schema::array(schema::string())},
                                    {"createdAt", schema::date_time()}},
                                   {"id", "url", "events", "createdAt"});
  if (with_secret) {
    auto& object = properties.as_object();
    object["properties"].as_object()["secret"] = schema::string();
    object["required"].as_array().emplace_back("secret");
  }
  return properties;
}

boost::json::value delivery_schema() {
  return schema::object({{"id", schema::uuid()},
                         {"eventId", schema::uuid()},
                         {"eventType", schema::string()},
                         {"status", schema::enumeration({"PENDING", "DELIVERED", "FAILED"})},
                         {"attempts", schema::integer(0)},
                         {"lastStatusCode", schema::nullable(schema::integer(100))},
                         {"lastError", schema::nullable(schema::string())},
                         {"nextAttemptAt", schema::nullable(schema::date_time())},
                         {"deliveredAt", schema::nullable(schema::date_time())},
                         {"createdAt", schema::date_time()}},
                        {"id", "eventId", "eventType", "status", "attempts", "createdAt"});
}

}  // namespace

void register_webhook_routes(http::Router& router, RouteParts parts) {
  const auto admins = http::Access::roles_of({});
  http::add_routes<RouteParts>(
      router, "notification", parts,
      {{.method = "POST",
        .pattern = "/api/v1/webhooks",
        .access = admins,
        .doc = {.summary = "Register a webhook endpoint; the answer shows its signing secret, once",
                .request_schema = schema::object({{"url", schema::string(k_url_rule)},
                                                  {"events", schema::array(schema::string())}},
                                                 {"url", "events"}),
                .response_schema = endpoint_schema(true),
                .success_status = 201},
        .handler = create_endpoint,
        .carries_secret = true},
       {.method = "GET",
        .pattern = "/api/v1/webhooks",
        .access = admins,
        .doc = {.summary = "The organisation's webhook endpoints, newest first",
                .response_schema = schema::list_of(endpoint_schema(false)),
                .query = http::page_query()},
        .handler = list_endpoints},
       {.method = "GET",
        .pattern = "/api/v1/webhooks/{id}",
        .access = admins,
        .doc = {.summary = "One webhook endpoint (without its secret)",
                .response_schema = endpoint_schema(false)},
        .handler = get_endpoint},
       {.method = "DELETE",
        .pattern = "/api/v1/webhooks/{id}",
        .access = admins,
        .doc = {.summary = "Delete a webhook endpoint: it receives nothing more",
                .success_status = 204},
        .handler = delete_endpoint},
       {.method = "GET",
        .pattern = "/api/v1/webhooks/{id}/deliveries",
        .access = admins,
        .doc = {.summary = "The endpoint's deliveries: attempts, status codes, next retry (newest "
                           "first)",
                .response_schema = schema::list_of(delivery_schema()),
                .query = http::page_query()},
        .handler = list_deliveries},
       {.method = "POST",
        .pattern = "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
        .access = admins,
        .doc = {.summary = "Queue a FAILED delivery again (409 for any other)",
                .response_schema = delivery_schema()},
        .handler = redeliver}});
}

}  // namespace payrollx::notification
