#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "captured_stdout.hpp"
#include "core/auth/jwt.hpp"
#include "core/db/error.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/router.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

using namespace payrollx;
using namespace payrollx::http;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

Route route(std::string method, std::string pattern, Access access, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.access = std::move(access);
  r.handler = std::move(handler);
  return r;
}

Handler throwing(std::function<void()> raise) {
  return [raise](RequestContext&) -> boost::asio::awaitable<Response> {
    raise();
    co_return Response::no_content();
  };
}

struct World {
  Router router;
  TokenSigner tokens{"dispatcher-test-secret-with-enough-bytes", 900s};
  Metrics metrics;
  Dispatcher dispatcher{router, tokens, metrics, 1024};

  World() {
    router.add(route("GET", "/ok/{id}", Access::anyone(),
                     [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
                       boost::json::object body{{"id", ctx.param("id")},
                                                {"signedIn", ctx.principal().has_value()}};
                       co_return Response::json(200, body);
                     }));
    router.add(route("GET", "/problem", Access::anyone(), throwing([] {
                       throw validation_failed("email", "must be an email")
                           .with("hint", "x")
                           .with_header("Retry-After", "3");
                     })));
    router.add(route("GET", "/boom", Access::anyone(), throwing([] {
                       throw std::runtime_error("secret internals: password=hunter2");
                     })));
    router.add(route("GET", "/me", Access::any_user(),
                     [](RequestContext& ctx) -> boost::asio::awaitable<Response> {
                       boost::json::object body{{"user", ctx.user().user_id.str()}};
                       co_return Response::json(200, body);
                     }));
    router.add(route("POST", "/finance", Access::roles_of({Role::finance_manager}),
                     [](RequestContext&) -> boost::asio::awaitable<Response> {
                       co_return Response::no_content();
                     }));
    Route upload = route("POST", "/upload", Access::anyone(), throwing([] {}));
    upload.body_limit = 10 * 1024 * 1024;
    router.add(std::move(upload));
    router.add(route("GET", "/duplicate", Access::anyone(), throwing([] {
                       throw db::Error("23505", "duplicate key value violates unique constraint",
                                       "users_email_key");
                     })));
    router.add(route("POST", "/overdraw", Access::anyone(), throwing([] {
                       throw db::Error("23514",
                                       "new row for relation \"wallets\" violates check "
                                       "constraint \"wallets_balance_check\"",
                                       "wallets_balance_check");
                     })));
    Route secret = route("POST", "/secret", Access::anyone(),
                         [](RequestContext&) -> boost::asio::awaitable<Response> {
                           co_return Response::json(200, boost::json::object{{"token", "t"}});
                         });
    secret.carries_secret = true;
    router.add(std::move(secret));
    router.add(route("GET", "/database-down", Access::anyone(), throwing([] {
                       throw db::ConnectionError("server closed the connection unexpectedly");
                     })));
    router.add(route("GET", "/pool-busy", Access::anyone(),
                     throwing([] { throw db::PoolTimeout("no connection within 5000 ms"); })));
    router.add(route("GET", "/syntax", Access::anyone(), throwing([] {
                       throw db::Error("42601", "syntax error at or near \"SELEC\"");
                     })));
  }

  Response dispatch(Request request) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, dispatcher.dispatch(std::move(request), "127.0.0.1"),
                                        boost::asio::use_future);
    io.run();
    return future.get();
  }

  Response get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {},
               std::string method = "GET") {
    Request request;
    request.method = std::move(method);
    request.target = path;
    request.path = std::move(path);
    request.headers = std::move(headers);
    return dispatch(std::move(request));
  }

  std::string token_for(Role role) {
    Principal principal;
    principal.user_id = Uuid::random();
    principal.organization_id = Uuid::random();
    principal.role = role;
    return tokens.issue(principal, now());
  }
};

std::optional<std::string> header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return std::nullopt;
}

boost::json::object problem_of(const Response& response) {
  REQUIRE(response.content_type == "application/problem+json");
  return boost::json::parse(response.body).as_object();
}

}  // namespace

TEST_CASE("http dispatcher: a route's handler answers, with the request id") {
  World world;
  auto response = world.get("/ok/abc", {{"x-request-id", "client-id-42"}});
  CHECK(response.status == 200);
  CHECK(response.content_type == "application/json");
  auto body = boost::json::parse(response.body);
  CHECK(body.at("id") == "abc");
  CHECK(body.at("signedIn") == false);
  CHECK(header(response, "X-Request-Id") == "client-id-42");

  // An unusable request id is replaced by a fresh UUID.
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("bad\x01id")}) {
    auto generated = world.get("/ok/abc", {{"x-request-id", bad}});
    REQUIRE(header(generated, "X-Request-Id"));
    CHECK(Uuid::parse(*header(generated, "X-Request-Id")));
  }
}

TEST_CASE("http dispatcher: a thrown Problem becomes its problem document") {
  World world;
  auto response = world.get("/problem", {{"x-request-id", "rid-1"}});
  CHECK(response.status == 400);
  auto problem = problem_of(response);
  CHECK(problem.at("type") == "https://payrollx.dev/problems/validation_failed");
  CHECK(problem.at("title") == "Bad Request");
  CHECK(problem.at("status") == 400);
  CHECK(problem.at("code") == "validation_failed");
  CHECK(problem.at("requestId") == "rid-1");
  CHECK(problem.at("detail").is_string());
  CHECK(problem.at("errors") ==
        boost::json::parse(R"([{"field":"email","message":"must be an email"}])"));
  CHECK(problem.at("hint") == "x");
  CHECK(header(response, "Retry-After") == "3");
  CHECK(header(response, "X-Request-Id") == "rid-1");
}

TEST_CASE("http dispatcher: 404 and 405 are problems too") {
  World world;
  auto missing = world.get("/nowhere");
  CHECK(missing.status == 404);
  auto missing_problem = problem_of(missing);
  CHECK(missing_problem.at("code") == "not_found");
  CHECK(missing_problem.at("errors").as_array().empty());
  CHECK(missing_problem.at("requestId").as_string() == *header(missing, "X-Request-Id"));

  auto wrong_method = world.get("/finance");
  CHECK(wrong_method.status == 405);
  CHECK(problem_of(wrong_method).at("code") == "method_not_allowed");
  CHECK(header(wrong_method, "Allow") == "POST");
}

TEST_CASE("http dispatcher: an unexpected exception is a generic 500, logged with the request id") {
  World world;
  log::configure(log::Level::info, true);
  test::CapturedStdout captured;
  auto response = world.get("/boom", {{"x-request-id", "rid-500"}});
  auto log = captured.text();

  CHECK(response.status == 500);
  auto problem = problem_of(response);
  CHECK(problem.at("code") == "internal");
  CHECK(problem.at("requestId") == "rid-500");
  CHECK_THAT(response.body, !Contains("hunter2"));
  CHECK_THAT(response.body, !Contains("secret internals"));

  // The log has the exception text and the request line, both with the request id.
  bool saw_exception = false, saw_request = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    auto entry = boost::json::parse(line).as_object();
    CHECK(entry.contains("ts"));
    if (entry.at("event") == "http.unhandled_exception") {
      saw_exception = true;
      CHECK(entry.at("level") == "error");
      CHECK(entry.at("requestId") == "rid-500");
      CHECK_THAT(std::string(entry.at("error").as_string()), Contains("secret internals"));
    }
    if (entry.at("event") == "http.request") {
      saw_request = true;
      CHECK(entry.at("requestId") == "rid-500");
      CHECK(entry.at("method") == "GET");
      CHECK(entry.at("route") == "/boom");
      CHECK(entry.at("status") == 500);
      CHECK(entry.at("durationMs").is_number());
      CHECK(entry.at("durationMs").to_number<double>() >= 0);
      CHECK(entry.at("user").is_null());
    }
  }
  CHECK(saw_exception);
  CHECK(saw_request);
}

TEST_CASE("http dispatcher: 401 without or with a bad token, 403 for the wrong role") {
  World world;
  auto anonymous = world.get("/me");
  CHECK(anonymous.status == 401);
  CHECK(problem_of(anonymous).at("code") == "unauthorized");
  CHECK(header(anonymous, "WWW-Authenticate") == "Bearer");

  auto garbage = world.get("/me", {{"authorization", "Bearer not.a.token"}});
  CHECK(garbage.status == 401);
  CHECK(header(garbage, "WWW-Authenticate") == "Bearer");

  auto token = world.token_for(Role::employee);
  auto wrong_scheme = world.get("/me", {{"authorization", "Basic " + token}});
  CHECK(wrong_scheme.status == 401);

  TokenSigner other("another-secret-with-enough-bytes-000000", 900s);
  Principal stranger;
  stranger.user_id = Uuid::random();
  auto foreign = world.get("/me", {{"authorization", "Bearer " + other.issue(stranger, now())}});
  CHECK(foreign.status == 401);

  auto me = world.get("/me", {{"authorization", "bearer " + token}});
  CHECK(me.status == 200);

  auto employee = world.get("/finance", {{"authorization", "Bearer " + token}}, "POST");
  CHECK(employee.status == 403);
  CHECK(problem_of(employee).at("code") == "forbidden");

  auto finance = world.get(
      "/finance", {{"authorization", "Bearer " + world.token_for(Role::finance_manager)}}, "POST");
  CHECK(finance.status == 204);
  auto admin = world.get("/finance",
                         {{"authorization", "Bearer " + world.token_for(Role::org_admin)}}, "POST");
  CHECK(admin.status == 204);

  // A public route learns who calls when a valid token comes along, and ignores a bad one.
  auto signed_in = world.get("/ok/x", {{"authorization", "Bearer " + token}});
  CHECK(boost::json::parse(signed_in.body).at("signedIn") == true);
  auto ignored = world.get("/ok/x", {{"authorization", "Bearer junk"}});
  CHECK(ignored.status == 200);
  CHECK(boost::json::parse(ignored.body).at("signedIn") == false);
}

TEST_CASE("http dispatcher: database failures map to 409, 503 and 500") {
  World world;
  auto duplicate = world.get("/duplicate");
  CHECK(duplicate.status == 409);
  CHECK(problem_of(duplicate).at("code") == "conflict");
  CHECK_THAT(duplicate.body, !Contains("users_email_key"));

  CHECK(world.get("/database-down").status == 503);
  CHECK(problem_of(world.get("/pool-busy")).at("code") == "service_unavailable");
  auto syntax = world.get("/syntax");
  CHECK(syntax.status == 500);
  CHECK_THAT(syntax.body, !Contains("SELEC"));
}

TEST_CASE("http dispatcher: requests are counted by route pattern") {
  World world;
  world.get("/ok/1");
  world.get("/ok/2");
  world.get("/nowhere");
  world.get("/ok/3", {}, "BREW");
  auto text = world.metrics.render();
  CHECK_THAT(
      text,
      Contains(R"(payrollx_http_requests_total{method="GET",route="/ok/{id}",status="200"} 2)"));
  CHECK_THAT(
      text,
      Contains(R"(payrollx_http_requests_total{method="GET",route="unmatched",status="404"} 1)"));
  CHECK_THAT(
      text,
      Contains(R"(payrollx_http_requests_total{method="OTHER",route="unmatched",status="405"} 1)"));
}

TEST_CASE("http dispatcher: body limits per route") {
  World world;
  CHECK(world.dispatcher.body_limit_for("POST", "/upload") == 10 * 1024 * 1024);
  CHECK(world.dispatcher.body_limit_for("POST", "/finance") == 1024);
  CHECK(world.dispatcher.body_limit_for("POST", "/nowhere") == 1024);
}

TEST_CASE("http dispatcher: a CHECK violation is a loud 500, logged and counted, never a 409") {
  World world;
  log::configure(log::Level::info, true);
  test::CapturedStdout captured;
  auto response = world.get("/overdraw", {{"x-request-id", "rid-check"}}, "POST");
  auto log = captured.text();

  CHECK(response.status == 500);
  CHECK(problem_of(response).at("code") == "internal");
  CHECK_THAT(response.body, !Contains("wallets_balance_check"));
  bool logged = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    auto entry = boost::json::parse(line).as_object();
    if (entry.at("event") != "db.invariant_violated") continue;
    logged = true;
    CHECK(entry.at("level") == "error");
    CHECK(entry.at("constraint") == "wallets_balance_check");
    CHECK(entry.at("requestId") == "rid-check");
  }
  CHECK(logged);
  CHECK_THAT(
      world.metrics.render(),
      Contains(R"(payrollx_invariant_violations_total{constraint="wallets_balance_check"} 1)"));
}

TEST_CASE("http dispatcher: answers that carry a secret are not stored by caches") {
  World world;
  auto secret = world.get("/secret", {}, "POST");
  CHECK(secret.status == 200);
  CHECK(header(secret, "Cache-Control") == "no-store");
  CHECK_FALSE(header(world.get("/ok/1"), "Cache-Control"));
}

TEST_CASE("http dispatcher: admission decides from the head alone") {
  World world;
  Request head;
  head.method = "POST";
  head.path = "/finance";
  auto refused = world.dispatcher.admit(head);
  CHECK_FALSE(refused.admitted());
  head.headers.emplace_back("authorization", "Bearer " + world.token_for(Role::employee));
  CHECK_FALSE(world.dispatcher.admit(head).admitted());
  head.headers.back().second = "Bearer " + world.token_for(Role::finance_manager);
  auto admitted = world.dispatcher.admit(head);
  CHECK(admitted.admitted());
  REQUIRE(admitted.principal);
  CHECK(admitted.principal->role == Role::finance_manager);
  head.path = "/nowhere";
  CHECK_FALSE(world.dispatcher.admit(head).admitted());
}
