#pragma once
// Drafting a run, the pure part: which period, pay date and currency a request means, who is in
// the run and who is skipped, and each item's calculation (calculation.hpp). No database here:
// the service reads the schedule, settings, tax table and roster and hands them over. Private to
// the payroll module.
//
// Rule 9, who is in a REGULAR run: every employee of the organisation employed on at least one
// day of the period, whose salary currency is the run's and who passes the KYC policy. Everyone
// else is listed on the run as skipped with a reason (currency_mismatch, kyc_not_approved,
// terminated, not_started); nothing is converted between currencies.
#include <optional>
#include <string>
#include <vector>

#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/payroll/calculation.hpp"
#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll::drafting {

// What a run calculates with, once the request is read against its schedule.
struct Header {
  Period period;
  Date pay_date;
  std::string currency;
  std::optional<Frequency> frequency;  // the schedule's; none: each employee's own
};

// 400 validation_failed, naming the fields, when the request does not fit its schedule (or, for
// an OFF_CYCLE run without one, lacks its period, pay date or currency).
Header resolve(const RunRequest& request, const std::optional<Schedule>& schedule);

// The schedule's period that starts on `start`, if there is one.
std::optional<Period> period_starting(const Schedule& schedule, Date start);

// An employee's stored pay frequency; an unknown spelling is a broken invariant.
Frequency frequency_of(std::string_view text);

Date plus_days(Date date, std::int64_t days);

// The employees a request names (OFF_CYCLE), or none (REGULAR: all of them).
std::optional<std::vector<Uuid>> named_employees(const RunRequest& request);

// 404 not_found, naming each field, when a named employee is not in the roster (another
// organisation's ids are unknown ones).
void require_known(const RunRequest& request, const std::vector<employee::RosterEntry>& roster);

std::optional<TaxTable> tax_table_of(const std::optional<compliance::TaxTable>& table);

struct Calculated {
  std::vector<Item> items;  // ids, positions, wallets and amounts; run_id unset
  std::vector<Skipped> skipped;
  Totals totals;
};

// Every employee of the roster either calculated or skipped with a reason; totals are the sums
// of the items' rounded lines. 409 conflict (400 for a requested amount) when an amount goes
// beyond int64.
Calculated calculate(const RunRequest& request, const Header& header,
                     const std::vector<employee::RosterEntry>& roster, bool kyc_required,
                     const std::optional<TaxTable>& tax_table);

}  // namespace payrollx::payroll::drafting
