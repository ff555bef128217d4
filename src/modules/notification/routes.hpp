#pragma once
// What the notification module's route files share. Private to the module.
#include "modules/notification/notification.hpp"

namespace payrollx::notification {

// Held by value in every handler of the module (the router keeps them alive).
struct RouteParts {
  db::Pool& pool;
  OutboxOptions options;
};

void register_webhook_routes(http::Router& router, const RouteParts& parts);
void register_template_routes(http::Router& router, const RouteParts& parts);

}  // namespace payrollx::notification
