#include <catch2/catch.hpp>

#include "core/http/router.hpp"

using namespace payrollx;
using namespace payrollx::http;

namespace {

Route route(std::string method, std::string pattern, Access access = Access::anyone()) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.access = std::move(access);
  r.handler = [](RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response::no_content();
  };
  return r;
}

Router sample_router() {
  Router router;
  router.add(route("GET", "/api/v1/employees"));
  router.add(route("POST", "/api/v1/employees"));
  router.add(route("GET", "/api/v1/employees/{id}"));
  router.add(route("PATCH", "/api/v1/employees/{id}"));
  router.add(route("POST", "/api/v1/employees/import"));
  router.add(route("GET", "/api/v1/employees/{id}/documents/{docId}/content"));
  router.add(route("GET", "/health/live"));
  return router;
}

}  // namespace

TEST_CASE("http router: path parameters are matched and named") {
  auto router = sample_router();
  auto match = router.match("GET", "/api/v1/employees/abc/documents/def/content");
  REQUIRE(match.route != nullptr);
  CHECK(match.route->pattern == "/api/v1/employees/{id}/documents/{docId}/content");
  REQUIRE(match.params.size() == 2);
  CHECK(match.params[0] == std::pair<std::string, std::string>{"id", "abc"});
  CHECK(match.params[1] == std::pair<std::string, std::string>{"docId", "def"});
  CHECK(match.allowed_methods.empty());
}

TEST_CASE("http router: an unknown path is a 404, another method of a known path a 405") {
  auto router = sample_router();

  auto missing = router.match("GET", "/api/v1/nothing");
  CHECK(missing.route == nullptr);
  CHECK(missing.allowed_methods.empty());

  auto wrong_method = router.match("DELETE", "/api/v1/employees/42");
  CHECK(wrong_method.route == nullptr);
  CHECK(wrong_method.allowed_methods == std::vector<std::string>{"GET", "PATCH"});

  auto collection = router.match("PUT", "/api/v1/employees");
  CHECK(collection.allowed_methods == std::vector<std::string>{"GET", "POST"});
}

TEST_CASE("http router: a literal segment beats a parameter") {
  auto router = sample_router();
  auto import = router.match("POST", "/api/v1/employees/import");
  REQUIRE(import.route != nullptr);
  CHECK(import.route->pattern == "/api/v1/employees/import");
  CHECK(import.params.empty());

  // The literal path exists but not for GET: its own methods answer, not the {id} route's.
  auto get_import = router.match("GET", "/api/v1/employees/import");
  CHECK(get_import.route == nullptr);
  CHECK(get_import.allowed_methods == std::vector<std::string>{"POST"});

  // Registration order does not matter.
  Router reversed;
  reversed.add(route("GET", "/a/{x}/c"));
  reversed.add(route("GET", "/a/b/{y}"));
  auto match = reversed.match("GET", "/a/b/c");
  REQUIRE(match.route != nullptr);
  CHECK(match.route->pattern == "/a/b/{y}");
  CHECK(match.params[0].second == "c");
}

TEST_CASE("http router: segments match exactly") {
  auto router = sample_router();
  CHECK(router.match("GET", "/health/live").route != nullptr);
  CHECK(router.match("GET", "/health/live/").route == nullptr);
  CHECK(router.match("GET", "/health").route == nullptr);
  CHECK(router.match("GET", "/health/live/x").route == nullptr);
  CHECK(router.match("GET", "/api/v1/employees//documents/d/content").route == nullptr);
  CHECK(router.match("GET", "/api/v1/employees/").route == nullptr);  // {id} needs a value
  CHECK(router.match("GET", "").route == nullptr);
  CHECK(router.match("GET", "health/live").route == nullptr);
  CHECK(router.match("get", "/health/live").route == nullptr);  // methods are case-sensitive
}

TEST_CASE("http router: the root path, and paths deeper than any route") {
  auto router = sample_router();
  router.add(route("GET", "/"));
  CHECK(router.match("GET", "/").route != nullptr);
  CHECK(router.match("GET", "/x").route == nullptr);  // "/" is a literal, not a parameter

  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "/a";
  auto match = router.match("GET", deep);
  CHECK(match.route == nullptr);
  CHECK(match.allowed_methods.empty());
}

TEST_CASE("http router: a duplicate method and pattern is refused") {
  auto router = sample_router();
  CHECK_THROWS_AS(router.add(route("GET", "/api/v1/employees/{id}")), std::logic_error);
  // Same shape, other parameter name: the same requests would match.
  CHECK_THROWS_AS(router.add(route("PATCH", "/api/v1/employees/{employeeId}")), std::logic_error);
  CHECK_THROWS_AS(router.add(route("GET", "no-slash")), std::logic_error);
  CHECK_NOTHROW(router.add(route("DELETE", "/api/v1/employees/{id}")));
  CHECK(router.routes().size() == 8);
}

TEST_CASE("http access: who may call a route") {
  auto anyone = Access::anyone();
  CHECK_FALSE(anyone.authenticated);

  auto any_user = Access::any_user();
  CHECK(any_user.authenticated);
  for (auto role : {Role::super_admin, Role::org_admin, Role::hr_manager, Role::finance_manager,
                    Role::employee})
    CHECK(any_user.allows(role));

  auto hr = Access::roles_of({Role::hr_manager});
  CHECK(hr.authenticated);
  CHECK(hr.allows(Role::hr_manager));
  CHECK(hr.allows(Role::org_admin));
  CHECK_FALSE(hr.allows(Role::finance_manager));
  CHECK_FALSE(hr.allows(Role::employee));
  CHECK_FALSE(hr.allows(Role::super_admin));

  auto admin_only = Access::roles_of({Role::org_admin});
  CHECK(admin_only.roles == std::vector<Role>{Role::org_admin});

  auto platform = Access::super_admin();
  CHECK(platform.allows(Role::super_admin));
  CHECK_FALSE(platform.allows(Role::org_admin));
  CHECK_FALSE(platform.allows(Role::employee));
}
