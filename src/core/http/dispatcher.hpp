#pragma once
// From a parsed request to a response: request id, routing (404 / 405 + Allow), access token
// and role checks (401 / 403), the handler, problem documents for every failure (a handler's
// unexpected exception is a 500 problem with the request id, details only in the log), one
// log line and the request metrics.
#include <boost/asio/awaitable.hpp>
#include <string>

#include "core/http/message.hpp"
#include "core/http/router.hpp"

namespace payrollx {
class Metrics;
class Problem;
class TokenSigner;
}  // namespace payrollx

namespace payrollx::http {

class Dispatcher {
 public:
  Dispatcher(const Router& router, const TokenSigner& tokens, Metrics& metrics,
             std::size_t default_body_limit);

  // The route a request header names: matched once, before the body is read, and handed to
  // dispatch.
  Match route(std::string_view method, std::string_view path) const;
  // Never throws.
  boost::asio::awaitable<Response> dispatch(Request request, Match match,
                                            std::string client_address);
  boost::asio::awaitable<Response> dispatch(Request request, std::string client_address);
  // The body limit of a matched route (the default when no route matches).
  std::size_t body_limit_for(const Match& match) const;
  std::size_t body_limit_for(std::string_view method, std::string_view path) const;

 private:
  const Router& router_;
  const TokenSigner& tokens_;
  Metrics& metrics_;
  std::size_t default_body_limit_;
};

// The request's X-Request-Id when it is 1..128 printable ASCII characters, else a new UUID
// (shared by the dispatcher and the server's own refusals).
std::string request_id_of(const Request& request);

// The problem document response of a Problem (shared by the dispatcher and the server's own
// errors such as 413 and 431).
Response problem_response(const Problem& problem, const std::string& request_id);

}  // namespace payrollx::http
