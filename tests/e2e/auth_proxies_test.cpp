// Throttling behind a load balancer (PAYROLLX_TRUSTED_PROXIES): the client is the right-most
// X-Forwarded-For entry not from a trusted proxy; the header of an untrusted peer changes
// nothing; IPv6 clients share a budget per /64.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "auth_helpers.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::HttpClient;
using payrollx::test::HttpResponse;
using payrollx::test::ServerSettings;
using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

HttpResponse wrong_login(HttpClient& http, const std::string& forwarded_for, int n) {
  // A distinct unknown account each time: only the per-client budget is at stake.
  return http.post("/api/v1/auth/login",
                   json::object{{"email", "nobody" + std::to_string(n) + "@example.com"},
                                {"password", "wrong password!"}},
                   "", {{"X-Forwarded-For", forwarded_for}});
}

ServerSettings limited(std::string trusted) {
  ServerSettings settings;
  settings.env.emplace_back("PAYROLLX_AUTH_RATE_LIMIT", "3");
  if (!trusted.empty()) settings.env.emplace_back("PAYROLLX_TRUSTED_PROXIES", std::move(trusted));
  return settings;
}

}  // namespace

TEST_CASE("proxies: an untrusted peer's X-Forwarded-For changes nothing", "[e2e]") {
  TestApp app("proxies_untrusted", limited(""));
  auto& http = app.http();
  // Every request comes from 127.0.0.1, whatever address it claims: one budget.
  for (int i = 0; i < 3; ++i)
    CHECK(wrong_login(http, "203.0.113." + std::to_string(i + 1), i).status == 401);
  require_problem(wrong_login(http, "198.51.100.77", 3), 429, "rate_limited");
}

TEST_CASE("proxies: a trusted proxy's clients are limited separately", "[e2e]") {
  TestApp app("proxies_trusted", limited("127.0.0.0/8, 10.0.0.0/8"));
  auto& http = app.http();
  int n = 0;
  for (int i = 0; i < 3; ++i) CHECK(wrong_login(http, "203.0.113.1", n++).status == 401);
  require_problem(wrong_login(http, "203.0.113.1", n++), 429, "rate_limited");
  // A client prepending addresses of its own does not escape: the right-most untrusted entry
  // (added by the proxy) is the client, and so are the entries behind trusted hops.
  require_problem(wrong_login(http, "198.51.100.1, 203.0.113.1", n++), 429, "rate_limited");
  require_problem(wrong_login(http, "203.0.113.1, 10.1.2.3", n++), 429, "rate_limited");
  // Another client behind the same proxy has its own budget.
  for (int i = 0; i < 3; ++i) CHECK(wrong_login(http, "203.0.113.2", n++).status == 401);
  require_problem(wrong_login(http, "203.0.113.2", n++), 429, "rate_limited");
  // The proxy itself, without the header, is a client of its own.
  CHECK(http.post("/api/v1/auth/login",
                  json::object{{"email", "x@example.com"}, {"password", "wrong password!"}})
            .status == 401);
  // The security audit records the client, not the proxy.
  CHECK(app.sql().count(
            "SELECT count(*) FROM auth.audit_logs WHERE client_address = '203.0.113.2'") == 3);
}

TEST_CASE("proxies: IPv6 clients share one budget per /64", "[e2e]") {
  TestApp app("proxies_ipv6", limited("127.0.0.1"));
  auto& http = app.http();
  int n = 0;
  CHECK(wrong_login(http, "2001:db8:a:b::1", n++).status == 401);
  CHECK(wrong_login(http, "2001:db8:a:b::2", n++).status == 401);
  CHECK(wrong_login(http, "2001:db8:a:b:ffff:ffff:ffff:ffff", n++).status == 401);
  require_problem(wrong_login(http, "2001:db8:a:b::99", n++), 429, "rate_limited");
  CHECK(wrong_login(http, "2001:db8:a:c::1", n++).status == 401);
}
