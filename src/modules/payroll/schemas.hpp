#pragma once
// The JSON Schemas of the payroll routes' bodies and answers, for the OpenAPI document (and so
// for the bad-input sweep that reads it). Private to the payroll module.
#include <boost/json/value.hpp>

namespace payrollx::payroll::schemas {

boost::json::value schedule();
boost::json::value new_schedule();
boost::json::value schedule_patch();
boost::json::value run_request();
boost::json::value run();
boost::json::value item();
boost::json::value preview();
boost::json::value payslip();
boost::json::value reversal();

}  // namespace payrollx::payroll::schemas
