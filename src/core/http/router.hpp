#pragma once
// Routes are registered explicitly by each module's register_routes(); the router matches a
// method and path to a route (404 vs 405 with Allow), and its metadata feeds auth checks, logs,
// metrics labels and the OpenAPI document.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/principal.hpp"
#include "core/http/message.hpp"

namespace payrollx::http {

class RequestContext;
using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

// Who may call a route. ORG_ADMIN may do everything any role of its organisation may, so
// `roles()` always admits it.
struct Access {
  bool authenticated = true;
  std::vector<Role> roles;  // empty and authenticated: any signed-in user

  static Access anyone();
  static Access any_user();
  static Access roles_of(std::initializer_list<Role> roles);  // plus ORG_ADMIN
  static Access super_admin();
  bool allows(Role role) const;
};

struct QueryParamDoc {
  std::string name;
  std::string description;
  boost::json::value schema;  // e.g. {"type":"string","format":"uuid"}
};

// What the OpenAPI document says about a route.
struct RouteDoc {
  std::string summary;
  std::string tag;
  boost::json::value request_schema;   // null: no JSON body
  boost::json::value response_schema;  // null: no body (204) or described by summary
  int success_status = 200;
  std::vector<QueryParamDoc> query;
  std::string request_content_type = "application/json";
  bool idempotency_key_required = false;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  Access access;
  RouteDoc doc;
  Handler handler;
  std::size_t body_limit = 0;  // 0: the server's default
  // Its answers carry a token or a secret: sent with Cache-Control: no-store, so that no
  // browser, proxy or CDN keeps a copy.
  bool carries_secret = false;
};

struct Match {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed_methods;  // filled when the path exists but not the method
};

class Router {
 public:
  // Throws std::logic_error on a duplicate method + pattern.
  void add(Route route);
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  // A pattern split once, at registration, so that matching compares segments and allocates
  // nothing.
  struct Segment {
    std::string literal;  // empty for a parameter
    bool parameter = false;
  };
  using Compiled = std::vector<Segment>;

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // routes_[i]'s pattern is compiled_[i]
  // Route indexes by segment count: a path is compared only with patterns as long as it is.
  std::vector<std::vector<std::size_t>> by_length_;
};

}  // namespace payrollx::http
