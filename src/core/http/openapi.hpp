#pragma once
// The OpenAPI 3.1 document of every registered route, generated from the router at request
// time so that it cannot miss one.
#include <boost/json/object.hpp>

namespace payrollx::http {

class Router;

boost::json::object openapi_document(const Router& router);

}  // namespace payrollx::http
