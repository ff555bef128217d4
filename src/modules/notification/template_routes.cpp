// /api/v1/notifications/templates/{eventType} (ORG_ADMIN): an organisation's email templates,
// each its own or the system default.
#include <boost/json/array.hpp>

#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/routes.hpp"
#include "modules/notification/templates.hpp"

namespace payrollx::notification {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr json::StringRule k_subject_rule{1, 500};
constexpr json::StringRule k_body_rule{1, 20000};

std::string event_type_of(const http::RequestContext& ctx) {
  std::string event_type(ctx.param("eventType"));
  if (!is_event_type(event_type)) throw not_found("There is no such event type.");
  return event_type;
}

boost::json::object template_json(std::string_view event_type, const Template& shown,
                                  bool is_default) {
  boost::json::array placeholders;
  for (auto name : placeholders_of(event_type)) placeholders.emplace_back(name);
  return {{"eventType", event_type},
          {"subject", shown.subject},
          {"body", shown.body},
          {"isDefault", is_default},
          {"placeholders", std::move(placeholders)}};
}

awaitable<http::Response> get_template(RouteParts parts, http::RequestContext& ctx) {
  auto event_type = event_type_of(ctx);
  auto own = co_await outbox_store::template_of(parts.pool, ctx.user().org(), event_type);
  if (own)
    co_return http::Response::json(
        200, template_json(event_type, Template{own->subject, own->body}, false));
  co_return http::Response::json(200,
                                 template_json(event_type, default_template(event_type), true));
}

awaitable<http::Response> put_template(RouteParts parts, http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto subject = reader.required_string("subject", k_subject_rule);
  auto text = reader.required_string("body", k_body_rule);
  reader.finish();
  auto event_type = event_type_of(ctx);
  // A placeholder the event does not have would render as nothing: refused here instead.
  std::vector<FieldError> errors;
  for (const auto& [field, value] : {std::pair{"subject", &*subject}, std::pair{"body", &*text}})
    for (auto& problem : template_errors(event_type, *value)) errors.push_back({field, problem});
  if (!errors.empty()) throw validation_failed(std::move(errors));
  const outbox_store::StoredTemplate stored{
      .event_type = event_type, .subject = *subject, .body = *text};
  co_await outbox_store::put_template(parts.pool, ctx.user().org(), stored, ctx.user().user_id);
  co_return http::Response::json(200, template_json(event_type, Template{*subject, *text}, false));
}

awaitable<http::Response> delete_template(RouteParts parts, http::RequestContext& ctx) {
  auto event_type = event_type_of(ctx);
  co_await outbox_store::delete_template(parts.pool, ctx.user().org(), event_type);
  co_return http::Response::no_content();
}

boost::json::value template_schema() {
  return schema::object({{"eventType", schema::string()},
                         {"subject", schema::string(k_subject_rule)},
                         {"body", schema::string(k_body_rule)},
                         {"isDefault", schema::boolean()},
                         {"placeholders", schema::array(schema::string())}},
                        {"eventType", "subject", "body", "isDefault", "placeholders"});
}

}  // namespace

void register_template_routes(http::Router& router, RouteParts parts) {
  const auto admins = http::Access::roles_of({});
  const std::string pattern = "/api/v1/notifications/templates/{eventType}";
  http::add_routes<RouteParts>(
      router, "notification", parts,
      {{.method = "GET",
        .pattern = pattern,
        .access = admins,
        .doc = {.summary = "The organisation's template of an event, or the system default "
                           "(isDefault)",
                .response_schema = template_schema()},
        .handler = get_template},
       {.method = "PUT",
        .pattern = pattern,
        .access = admins,
        .doc = {.summary = "Override the template: subject and body with {{placeholders}} of the "
                           "event (400 for one it does not have)",
                .request_schema = schema::object({{"subject", schema::string(k_subject_rule)},
                                                  {"body", schema::string(k_body_rule)}},
                                                 {"subject", "body"}),
                .response_schema = template_schema()},
        .handler = put_template},
       {.method = "DELETE",
        .pattern = pattern,
        .access = admins,
        .doc = {.summary = "Return to the system default", .success_status = 204},
        .handler = delete_template}});
}

}  // namespace payrollx::notification
