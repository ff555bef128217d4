#pragma once
// Reading the payroll routes' bodies and query parameters: every field checked, one error per
// bad field (400 validation_failed), before anything is looked up. Private to the payroll module.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "modules/payroll/payroll.hpp"

namespace payrollx::http {
struct Request;
}

namespace payrollx::payroll::requests {

// At most this many employees or items in one OFF_CYCLE request.
inline constexpr std::size_t k_max_listed = 10000;

NewSchedule read_new_schedule(const boost::json::object& body);
SchedulePatch read_schedule_patch(const boost::json::object& body);
RunRequest read_run_request(const boost::json::object& body);
// The optional reversal body {reason?}; an empty body is no reason.
std::optional<std::string> read_reversal(const std::optional<boost::json::object>& body);
RunFilter read_run_filter(const http::Request& request);

}  // namespace payrollx::payroll::requests
