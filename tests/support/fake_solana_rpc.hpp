#pragma once
// The fake cluster's JSON-RPC: requests read and the seven methods answered, in the shapes (and
// with the error codes) a node uses. Internal to fake_solana.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "fake_solana_chain.hpp"

namespace payrollx::test::fake_solana {

struct RpcRequest {
  boost::json::value id;
  std::string method;
  boost::json::value params;  // an array
};

// The request `body` holds, or the error answer a node gives to a body that is not one.
std::variant<RpcRequest, boost::json::object> parse_request(std::string_view body);

// The JSON-RPC answer to `request`: its result, or an error object.
boost::json::object answer(Chain& chain, const RpcRequest& request);

}  // namespace payrollx::test::fake_solana
