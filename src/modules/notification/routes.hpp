#pragma once
// What the notification module's route files share. Private to the module.
#include "modules/notification/notification.hpp"

namespace payrollx::notification {

// What the module's handlers share, passed to each by value; the pool and the options outlive
// the router.
struct RouteParts {
  db::Pool& pool;
  const OutboxOptions& options;
};

void register_webhook_routes(http::Router& router, RouteParts parts);
void register_template_routes(http::Router& router, RouteParts parts);

}  // namespace payrollx::notification
