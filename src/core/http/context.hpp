#pragma once
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/auth/principal.hpp"
#include "core/http/message.hpp"
#include "core/http/router.hpp"
#include "core/uuid.hpp"

namespace payrollx::db {
class Tx;
}

namespace payrollx::http {

// Re-checks, in the caller's open transaction, that a token's principal still stands: the user
// is active, still holds the token's role, and the token's session was not revoked; throws a
// Problem (401, 403) otherwise. The auth module provides it; money routes call it (an access
// token is good until it expires, except for money: a deactivated or demoted user moves nothing).
using StandingCheck = std::function<boost::asio::awaitable<void>(db::Tx&, const Principal&)>;

// Everything a handler knows about the request it serves.
class RequestContext {
 public:
  RequestContext(const Request& request, std::string request_id, std::string client_address);

  const Request& request() const { return request_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& client_address() const { return client_address_; }

  // The signed-in caller; routes with Access::anyone() may have none (then 401).
  const Principal& user() const;
  const std::optional<Principal>& principal() const { return principal_; }
  void set_principal(Principal principal) { principal_ = std::move(principal); }

  void set_route(const Route* route, std::vector<std::pair<std::string, std::string>> params);
  const Route* route() const { return route_; }

  std::string_view param(std::string_view name) const;
  // A path parameter that must be a UUID: a bad one is 400 validation_failed.
  Uuid id_param(std::string_view name) const;

  // The JSON object body: 415 unless the content type is JSON, 400 when malformed.
  boost::json::object json_body() const;

  std::chrono::steady_clock::time_point started() const { return started_; }

  void set_standing_check(const StandingCheck* check) { standing_check_ = check; }
  // The caller's standing, checked in `tx` (see StandingCheck). A server without a check
  // refuses: money never moves on the token's word alone.
  boost::asio::awaitable<void> confirm_standing(db::Tx& tx) const;

 private:
  const Request& request_;
  std::string request_id_;
  std::string client_address_;
  std::optional<Principal> principal_;
  const Route* route_ = nullptr;
  std::vector<std::pair<std::string, std::string>> params_;
  std::chrono::steady_clock::time_point started_;
  const StandingCheck* standing_check_ = nullptr;
};

}  // namespace payrollx::http
