#pragma once
// From a parsed request to a response: request id, routing (404 / 405 + Allow), access token
// and role checks (401 / 403), the handler, problem documents for every failure (a handler's
// unexpected exception is a 500 problem with the request id, details only in the log), one
// log line and the request metrics.
#include <boost/asio/awaitable.hpp>
#include <exception>
#include <optional>
#include <string>

#include "core/auth/principal.hpp"
#include "core/auth/suspensions.hpp"
#include "core/http/client_address.hpp"
#include "core/http/context.hpp"
#include "core/http/message.hpp"
#include "core/http/router.hpp"

namespace payrollx {
class Metrics;
class Problem;
class TokenSigner;
}  // namespace payrollx

namespace payrollx::http {

// What a request's head decides before its body is read (the body of a request is read only
// once it is authenticated): the route, and the caller or the refusal.
struct Admission {
  Match match;
  std::optional<Principal> principal;
  std::exception_ptr refusal;  // 404, 405, 401 or 403: answered without the body
  bool admitted() const { return !refusal; }
};

class Dispatcher {
 public:
  Dispatcher(const Router& router, const TokenSigner& tokens, Metrics& metrics,
             std::size_t default_body_limit);

  // Money routes re-check the caller's standing with it (RequestContext::confirm_standing).
  void set_standing_check(StandingCheck check) { standing_check_ = std::move(check); }
  // Members of these organisations are refused (403 organization_suspended) before routing
  // further; none are without it.
  void set_suspensions(const Suspensions& suspensions) { suspensions_ = &suspensions; }
  // Peers whose X-Forwarded-For names the client (none by default).
  void set_trusted_proxies(TrustedProxies proxies) { trusted_proxies_ = std::move(proxies); }

  // Routes the request's method and path and checks its token and role, from the head alone.
  // Never throws.
  Admission admit(const Request& head) const;
  // Answers the request that came from `peer` (an IP address): the refusal of its admission, or
  // its handler's answer. Never throws.
  boost::asio::awaitable<Response> dispatch(Request request, Admission admission,
                                            std::string_view peer);
  // admit, then dispatch: for a request whose body is already in hand.
  boost::asio::awaitable<Response> dispatch(Request request, std::string_view peer);
  // The body limit of a matched route (the default when no route matches).
  std::size_t body_limit_for(const Match& match) const;
  std::size_t body_limit_for(std::string_view method, std::string_view path) const;

 private:
  const Router& router_;
  const TokenSigner& tokens_;
  Metrics& metrics_;
  std::size_t default_body_limit_;
  StandingCheck standing_check_;
  const Suspensions* suspensions_ = nullptr;
  TrustedProxies trusted_proxies_;
};

// The request's X-Request-Id when it is 1..128 printable ASCII characters, else a new UUID
// (shared by the dispatcher and the server's own refusals).
std::string request_id_of(const Request& request);

// The problem document response of a Problem (shared by the dispatcher and the server's own
// errors such as 413 and 431).
Response problem_response(const Problem& problem, const std::string& request_id);

}  // namespace payrollx::http
