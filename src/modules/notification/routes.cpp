// GET /api/v1/notifications and POST /api/v1/notifications/{id}/read: the caller's own inbox;
// and the registration of the module's other routes (webhooks, templates).
#include "modules/notification/routes.hpp"

#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/service.hpp"

namespace payrollx::notification {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

Recipient recipient_of(const http::RequestContext& ctx) {
  const auto& user = ctx.user();
  return {.organization_id = user.organization_id, .user_id = user.user_id};
}

bool unread_only(const http::Request& request) {
  auto value = request.query_param("unread");
  if (!value || *value == "false") return false;
  if (*value == "true") return true;
  throw validation_failed("unread", "must be true or false");
}

awaitable<http::Response> list_notifications(db::Pool& pool, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto notices = co_await inbox_page(pool, recipient_of(ctx), unread_only(ctx.request()),
                                     page.after, page.limit + 1);
  co_return http::Response::json(200, http::list_page(notices, page.limit, store::to_json));
}

awaitable<http::Response> read_notification(db::Pool& pool, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto notice = co_await mark_read(pool, recipient_of(ctx), id);
  co_return http::Response::json(200, store::to_json(notice));
}

boost::json::value notification_schema() {
  return schema::object({{"id", schema::uuid()},
                         {"eventType", schema::string()},
                         {"title", schema::string()},
                         {"body", schema::string()},
                         {"data", schema::any_object()},
                         {"readAt", schema::nullable(schema::date_time())},
                         {"createdAt", schema::date_time()}},
                        {"id", "eventType", "title", "body", "data", "readAt", "createdAt"});
}

}  // namespace

void register_routes(http::Router& router, db::Pool& pool, const OutboxOptions& options) {
  const RouteParts parts{.pool = pool, .options = options};
  register_webhook_routes(router, parts);
  register_template_routes(router, parts);
  http::add_routes<db::Pool&>(
      router, "notification", pool,
      {{.method = "GET",
        .pattern = "/api/v1/notifications",
        .access = http::Access::any_user(),
        .doc = {.summary = "List the caller's notifications, newest first",
                .response_schema = schema::list_of(notification_schema()),
                .query = http::page_query(
                    {{"unread", "true: only notifications not read yet.", schema::boolean()}})},
        .handler = list_notifications},
       {.method = "POST",
        .pattern = "/api/v1/notifications/{id}/read",
        .access = http::Access::any_user(),
        .doc = {.summary = "Mark one of the caller's notifications read (the first time stays)",
                .response_schema = notification_schema()},
        .handler = read_notification}});
}

}  // namespace payrollx::notification
