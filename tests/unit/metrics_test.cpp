#include "core/metrics.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace payrollx;
using Catch::Matchers::Contains;

TEST_CASE("metrics: render has every family with its labels after observations") {
  Metrics metrics;
  metrics.observe_request("GET", "/api/v1/users/{id}", 200, 0.003);
  metrics.observe_request("GET", "/api/v1/users/{id}", 204, 0.004);
  metrics.observe_request("POST", "/api/v1/auth/login", 401, 0.2);
  metrics.observe_query("auth.select_user", 0.001);
  metrics.observe_acquire(0.0002);
  metrics.count_transaction_retry();
  metrics.set_pool(8, 3, 1);
  metrics.count_invariant_violation("wallets_balance_check");

  auto text = metrics.render();
  CHECK_THAT(text, Contains("# TYPE payrollx_http_requests_total counter"));
  CHECK_THAT(
      text,
      Contains(
          R"(payrollx_http_requests_total{method="GET",route="/api/v1/users/{id}",status="200"} 1)"));
  CHECK_THAT(
      text,
      Contains(
          R"(payrollx_http_requests_total{method="GET",route="/api/v1/users/{id}",status="204"} 1)"));
  CHECK_THAT(
      text,
      Contains(
          R"(payrollx_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"} 1)"));
  CHECK_THAT(text, Contains("# TYPE payrollx_http_request_duration_seconds histogram"));
  CHECK_THAT(
      text,
      Contains(
          R"(payrollx_http_request_duration_seconds_count{method="GET",route="/api/v1/users/{id}",status="200"} 1)"));
  CHECK_THAT(text, Contains(R"(payrollx_db_pool_connections{state="open"} 8)"));
  CHECK_THAT(text, Contains(R"(payrollx_db_pool_connections{state="in_use"} 3)"));
  CHECK_THAT(text, Contains(R"(payrollx_db_pool_connections{state="waiting"} 1)"));
  CHECK_THAT(text, Contains("payrollx_db_pool_acquire_seconds_count 1"));
  CHECK_THAT(text,
             Contains(R"(payrollx_db_query_duration_seconds_count{query="auth.select_user"} 1)"));
  CHECK_THAT(text, Contains("payrollx_db_transaction_retries_total 1"));
  CHECK_THAT(
      text,
      Contains(R"(payrollx_invariant_violations_total{constraint="wallets_balance_check"} 1)"));
  CHECK_THAT(text, Contains(R"(payrollx_build_info{version=")" PAYROLLX_VERSION R"("} 1)"));
}

TEST_CASE("metrics: request series are safe to observe from several threads") {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.observe_request("GET", "/r/" + std::to_string(i % 5), 200 + (t % 2) * 300, 0.001);
        metrics.observe_query("q" + std::to_string(i % 3), 0.001);
      }
    });
  for (auto& thread : threads) thread.join();
  auto text = metrics.render();
  CHECK_THAT(
      text,
      Contains(R"(payrollx_http_requests_total{method="GET",route="/r/0",status="200"} 400)"));
  CHECK_THAT(
      text,
      Contains(R"(payrollx_http_requests_total{method="GET",route="/r/4",status="500"} 400)"));
  CHECK_THAT(text, Contains(R"(payrollx_db_query_duration_seconds_count{query="q0"} 1336)"));
}
