#pragma once
// Reading the payroll routes' bodies and query parameters: every field checked, one error per
// bad field (400 validation_failed), before anything is looked up. Private to the payroll module.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/json.hpp"
#include "modules/payroll/payroll.hpp"

namespace payrollx::http {
struct Request;
}

namespace payrollx::payroll::requests {

// The lengths the readers check, which the schemas document.
inline constexpr json::StringRule k_name{1, 200};         // a schedule's
inline constexpr json::StringRule k_description{1, 200};  // an OFF_CYCLE item's
inline constexpr json::StringRule k_reason{1, 1000};      // a reversal's

// At most this many employees or items in one OFF_CYCLE request.
inline constexpr std::size_t k_max_listed = 10000;

NewSchedule read_new_schedule(const boost::json::object& body);
SchedulePatch read_schedule_patch(const boost::json::object& body);
RunRequest read_run_request(const boost::json::object& body);
// The optional reversal body {reason?}; an empty body is no reason.
std::optional<std::string> read_reversal(const std::optional<boost::json::object>& body);
RunFilter read_run_filter(const http::Request& request);

}  // namespace payrollx::payroll::requests
