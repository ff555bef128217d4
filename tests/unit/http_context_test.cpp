#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/http/context.hpp"

using namespace payrollx;
using namespace payrollx::http;

namespace {

Request json_request(std::string content_type, std::string body) {
  Request request;
  request.method = "POST";
  request.path = "/x";
  if (!content_type.empty()) request.headers.emplace_back("content-type", std::move(content_type));
  request.body = std::move(body);
  return request;
}

// The status of the Problem json_body() throws, or 0 when it accepts the body.
int body_status(const Request& request) {
  RequestContext ctx(request, "req", "127.0.0.1");
  try {
    ctx.json_body();
  } catch (const Problem& problem) {
    return problem.status();
  }
  return 0;
}

}  // namespace

TEST_CASE("http context: json_body wants a JSON content type") {
  CHECK(body_status(json_request("application/json", R"({"a":1})")) == 0);
  CHECK(body_status(json_request("application/json; charset=utf-8", "{}")) == 0);
  CHECK(body_status(json_request("Application/JSON;charset=\"UTF-8\"", "{}")) == 0);
  CHECK(body_status(json_request("", "{}")) == 415);
  CHECK(body_status(json_request("text/plain", "{}")) == 415);
  CHECK(body_status(json_request("application/jsonx", "{}")) == 415);
  CHECK(body_status(json_request("application/json; charset=iso-8859-1", "{}")) == 415);
}

TEST_CASE("http context: json_body refuses malformed JSON, non-objects and bad UTF-8") {
  CHECK(body_status(json_request("application/json", "")) == 400);
  CHECK(body_status(json_request("application/json", "{")) == 400);
  CHECK(body_status(json_request("application/json", "[1,2]")) == 400);
  CHECK(body_status(json_request("application/json", "{\"a\":\"\xff\xfe\"}")) == 400);
  CHECK(body_status(json_request("application/json", "{\"a\":\"\xc3\x28\"}")) == 400);
  CHECK(body_status(json_request("application/json", "{\"a\":\"caf\xc3\xa9\"}")) == 0);

  auto request = json_request("application/json", R"({"name":"x","n":2})");
  RequestContext ctx(request, "r", "::1");
  auto object = ctx.json_body();
  CHECK(object.at("name") == "x");
  CHECK(object.at("n") == 2);
}

TEST_CASE("http context: path parameters and ids") {
  Request request;
  RequestContext ctx(request, "req-9", "10.0.0.1");
  auto id = Uuid::random();
  ctx.set_route(nullptr, {{"id", id.str()}, {"employeeId", "not-a-uuid"}});
  CHECK(ctx.param("id") == id.str());
  CHECK(ctx.id_param("id") == id);
  try {
    ctx.id_param("employeeId");
    FAIL("a bad UUID was accepted");
  } catch (const Problem& problem) {
    CHECK(problem.status() == 400);
    CHECK(problem.code() == "validation_failed");
    REQUIRE(problem.errors().size() == 1);
    CHECK(problem.errors()[0].field == "employeeId");
    CHECK(problem.errors()[0].message == "must be a UUID");
  }
  CHECK_THROWS_AS(ctx.param("missing"), std::logic_error);
  CHECK(ctx.request_id() == "req-9");
  CHECK(ctx.client_address() == "10.0.0.1");
}

TEST_CASE("http context: user() is 401 without a principal") {
  Request request;
  RequestContext ctx(request, "req", "127.0.0.1");
  try {
    ctx.user();
    FAIL("user() answered without a principal");
  } catch (const Problem& problem) {
    CHECK(problem.status() == 401);
  }
  Principal principal;
  principal.user_id = Uuid::random();
  ctx.set_principal(principal);
  CHECK(ctx.user().user_id == principal.user_id);
}
