// The server's own HTTP surface, through the real binary: health, problems for unknown routes,
// request ids and metrics.
#include <catch2/catch.hpp>
#include <sstream>

#include "test_app.hpp"

using payrollx::test::TestApp;

namespace {

// The value of the payrollx_http_requests_total sample whose labels contain `route_label`.
std::optional<double> requests_total(const std::string& metrics, const std::string& route_label) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("payrollx_http_requests_total{")) continue;
    if (line.find(route_label) == std::string::npos) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("platform: liveness and readiness answer 200 with a database") {
  TestApp app("platform_health");

  auto live = app.http().get("/health/live");
  CHECK(live.status == 200);
  CHECK(live.json().at("status") == "ok");

  auto ready = app.http().get("/health/ready");
  INFO(ready.body);
  CHECK(ready.status == 200);
  CHECK(ready.json().at("status") == "ok");
}

TEST_CASE("platform: an unknown route is a 404 problem carrying the request id") {
  TestApp app("platform_not_found");

  auto response = app.http().get("/api/v1/no-such-thing");
  REQUIRE(response.status == 404);
  CHECK(response.header("content-type").value_or("").starts_with("application/problem+json"));
  auto request_id = response.header("x-request-id");
  REQUIRE(request_id);
  CHECK_FALSE(request_id->empty());
  auto problem = response.json().as_object();
  CHECK(problem.at("status") == 404);
  CHECK(problem.at("code") == "not_found");
  CHECK(problem.at("requestId").as_string() == *request_id);

  // Every answer gets its own id when the client sends none.
  auto another = app.http().get("/api/v1/no-such-thing");
  CHECK(another.header("x-request-id") != request_id);
}

TEST_CASE("platform: X-Request-Id is echoed in the header and the problem") {
  TestApp app("platform_request_id");
  const std::string id = "e2e-trace-0042";

  auto live = app.http().request("GET", "/health/live", "", {{"X-Request-Id", id}});
  CHECK(live.status == 200);
  CHECK(live.header("x-request-id") == id);

  auto missing = app.http().request("GET", "/api/v1/nowhere", "", {{"X-Request-Id", id}});
  CHECK(missing.status == 404);
  CHECK(missing.header("x-request-id") == id);
  CHECK(missing.json().at("requestId").as_string() == id);
}

TEST_CASE("platform: /metrics counts the requests served, by route pattern") {
  TestApp app("platform_metrics");
  for (int i = 0; i < 3; ++i) REQUIRE(app.http().get("/health/live").status == 200);

  auto metrics = app.http().get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.header("content-type").value_or("").starts_with("text/plain"));
  CHECK_THAT(metrics.body, Catch::Contains("payrollx_http_requests_total"));
  auto live_count = requests_total(metrics.body, "route=\"/health/live\"");
  REQUIRE(live_count);
  CHECK(*live_count >= 3);
}
