#pragma once
// The JSON the payroll module stores (items' lines, a run's skipped list and request) and answers
// (payroll.hpp's to_json). Private to the payroll module.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <vector>

#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll::encoding {

// [{kind,name,amount}]
boost::json::array lines(const std::vector<Line>& lines);
// [{employeeId,reason}]
boost::json::array skipped(const std::vector<Skipped>& skipped);
// {gross,preTaxDeductions,tax,postTaxDeductions,net}
boost::json::object totals(const Totals& totals);
// What an OFF_CYCLE run was asked to pay: {employeeIds:[...]} or {items:[...]}; {} otherwise.
boost::json::object request(const RunRequest& request);
// The lists stored by request(), back into a request (recalculation).
void restore_lists(const boost::json::object& stored, RunRequest& request);

}  // namespace payrollx::payroll::encoding
