#pragma once
// The OpenAPI schemas of the employee routes. Private to the employee module.
#include <boost/json/value.hpp>

namespace payrollx::employee::schemas {

boost::json::value employee();
boost::json::value created_employee();  // employee + invitation
boost::json::value new_employee();
boost::json::value patch();
boost::json::value termination();
boost::json::value rejection();
boost::json::value wallet_address();
boost::json::value components(bool answer);
boost::json::value document();
boost::json::value document_upload();
boost::json::value import_csv();
boost::json::value import_answer();

}  // namespace payrollx::employee::schemas
