#pragma once
// The one way a module registers its routes: a table with a row per route (method, path, who may
// call it, what the OpenAPI document says of it, and its handler, a named free function), added
// at once with the state its handlers share. The module's register function then reads as the
// list of its routes, and every route gets its tag and binding the same way.
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/http/router.hpp"

namespace payrollx::http {

// A handler takes the state of its module's table, then the request. The state is a reference
// to the module's service (`Service&`), or a small struct of references passed by value.
template <class State>
using HandlerOf = boost::asio::awaitable<Response> (*)(State, RequestContext&);

template <class State>
struct RouteRow {
  std::string method;
  std::string pattern;
  Access access;
  RouteDoc doc;  // without a tag of its own, it takes the table's
  HandlerOf<State> handler = nullptr;
  std::size_t body_limit = 0;   // 0: the server's default
  bool carries_secret = false;  // as Route::carries_secret
};

namespace detail {

// What the router keeps per route: a plain callable that starts the handler's coroutine, whose
// frame then holds its own copy of the state. A coroutine lambda would keep its captures in the
// lambda object instead, outside the frame that outlives the call.
template <class State>
struct BoundHandler {
  State state;
  HandlerOf<State> handler;
  boost::asio::awaitable<Response> operator()(RequestContext& ctx) const {
    return handler(state, ctx);
  }
};

}  // namespace detail

// Adds the rows in order (the OpenAPI document lists them so). `State` is named by the caller
// (`add_routes<Service&>(...)`) so that a service is never copied by mistake; what a reference
// names must outlive the router.
template <class State>
void add_routes(Router& router, std::string_view tag, std::type_identity_t<State> state,
                std::vector<RouteRow<State>> rows) {
  for (auto& row : rows) {
    if (row.doc.tag.empty()) row.doc.tag = tag;
    router.add({.method = std::move(row.method),
                .pattern = std::move(row.pattern),
                .access = std::move(row.access),
                .doc = std::move(row.doc),
                .handler = detail::BoundHandler<State>{state, row.handler},
                .body_limit = row.body_limit,
                .carries_secret = row.carries_secret});
  }
}

}  // namespace payrollx::http
