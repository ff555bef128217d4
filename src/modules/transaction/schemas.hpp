#pragma once
// The JSON Schemas of the transaction routes, for their OpenAPI docs. Private to the transaction
// module.
#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "core/http/router.hpp"
#include "core/json.hpp"

namespace payrollx::transaction::schemas {

// Request bodies.
boost::json::value deposit();
boost::json::value withdrawal();
boost::json::value transfer();
// A body of one required text field, e.g. {"reason": ...}.
boost::json::value text_body(std::string_view key, json::StringRule rule);

boost::json::value transaction();
// A transaction with its entries and status history.
boost::json::value transaction_detail();
boost::json::value reconciliation();
// The list's filters and page parameters.
std::vector<http::QueryParamDoc> list_query();

}  // namespace payrollx::transaction::schemas
