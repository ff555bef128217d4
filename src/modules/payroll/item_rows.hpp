#pragma once
// The decoding of a payroll item's amount columns, for the two files that read payroll_items:
// item_store.cpp and the report rows (report_rows.cpp), which select the same columns. Services
// never decode rows. Private to the payroll module.
#include "core/db/result.hpp"
#include "modules/payroll/calculation.hpp"

namespace payrollx::payroll::store {

// The eight amounts of an item's row (base_pay ... net), without its lines.
Calculation amounts_from(const db::Row& row);

}  // namespace payrollx::payroll::store
