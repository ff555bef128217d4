#include "core/http/system_routes.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/db/migrations.hpp"
#include "core/db/pool.hpp"
#include "core/http/openapi.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/metrics.hpp"

namespace payrollx::http {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

// A readiness probe must answer quickly even when the database hangs.
constexpr std::chrono::seconds k_check_timeout{2};
constexpr std::string_view k_tag = "system";

asio::awaitable<std::string> database_check(db::Pool& pool) {
  try {
    co_await pool.ping();
    co_return "ok";
  } catch (const std::exception&) {
    co_return "unavailable";
  }
}

asio::awaitable<std::string> migrations_check(db::Pool& pool) {
  try {
    co_return co_await db::migrations_current(pool) ? "ok" : "pending";
  } catch (const std::exception&) {
    co_return "unavailable";
  }
}

// The check's answer, or "timeout" when it takes longer than k_check_timeout.
asio::awaitable<std::string> within_timeout(asio::awaitable<std::string> check) {
  asio::steady_timer timer(co_await asio::this_coro::executor, k_check_timeout);
  auto outcome = co_await (std::move(check) || timer.async_wait(asio::use_awaitable));
  if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
  co_return "timeout";
}

asio::awaitable<Response> readiness_answer(db::Pool& pool, const Readiness& readiness) {
  boost::json::object checks;
  if (readiness.shutting_down) {
    checks["server"] = "shutting_down";
  } else {
    auto database = co_await within_timeout(database_check(pool));
    checks["database"] = database;
    if (database == "ok") checks["migrations"] = co_await within_timeout(migrations_check(pool));
  }
  bool ready = true;
  for (const auto& check : checks) ready = ready && check.value() == "ok";
  co_return Response::json(
      ready ? 200 : 503,
      boost::json::object{{"status", ready ? "ok" : "unavailable"}, {"checks", std::move(checks)}});
}

boost::json::value status_schema() {
  return schema::object(
      {{"status", schema::enumeration({"ok", "unavailable"})}, {"checks", schema::any_object()}},
      {"status"});
}

// What the system handlers read; all of it outlives the router.
struct SystemParts {
  db::Pool& pool;
  Metrics& metrics;
  const Readiness& readiness;
  const Router& router;
};

asio::awaitable<Response> live(SystemParts, RequestContext&) {
  co_return Response::json(200, boost::json::object{{"status", "ok"}});
}

asio::awaitable<Response> ready(SystemParts parts, RequestContext&) {
  return readiness_answer(parts.pool, parts.readiness);
}

asio::awaitable<Response> metrics_text(SystemParts parts, RequestContext&) {
  auto stats = parts.pool.stats();
  parts.metrics.set_pool(stats.size, stats.in_use, stats.waiting);
  co_return Response::text(200, "text/plain; version=0.0.4; charset=utf-8", parts.metrics.render());
}

asio::awaitable<Response> openapi(SystemParts parts, RequestContext&) {
  co_return Response::json(200, openapi_document(parts.router));
}

}  // namespace

void register_system_routes(Router& router, db::Pool& pool, Metrics& metrics,
                            Readiness& readiness) {
  add_routes<SystemParts>(
      router, k_tag, {pool, metrics, readiness, router},
      {{.method = "GET",
        .pattern = "/health/live",
        .access = Access::anyone(),
        .doc = {.summary = "Liveness: the process serves HTTP", .response_schema = status_schema()},
        .handler = live},
       {.method = "GET",
        .pattern = "/health/ready",
        .access = Access::anyone(),
        .doc = {.summary = "Readiness: the database answers and migrations are current (503 "
                           "with the failing check otherwise)",
                .response_schema = status_schema()},
        .handler = ready},
       {.method = "GET",
        .pattern = "/metrics",
        .access = Access::anyone(),
        .doc = {.summary = "Prometheus metrics (text exposition format 0.0.4)"},
        .handler = metrics_text},
       {.method = "GET",
        .pattern = "/api/v1/openapi.json",
        .access = Access::anyone(),
        .doc = {.summary = "This OpenAPI 3.1 document", .response_schema = schema::any_object()},
        .handler = openapi}});
}

}  // namespace payrollx::http
