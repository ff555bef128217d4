#pragma once
// /health/live, /health/ready, /metrics and /api/v1/openapi.json.
#include <atomic>

namespace payrollx {
class Metrics;
namespace db {
class Pool;
}
}  // namespace payrollx

namespace payrollx::http {

class Router;

struct Readiness {
  std::atomic<bool> shutting_down{false};
};

// Registers the system routes. /health/ready answers 503 while shutting down, when the
// database does not answer, or when migrations are not current.
void register_system_routes(Router& router, db::Pool& pool, Metrics& metrics, Readiness& readiness);

}  // namespace payrollx::http
