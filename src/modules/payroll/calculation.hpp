#pragma once
// The payroll calculation, as pure functions: no database, no clock. Its rules are exact and
// binding (payslips, tests and reports rely on them), and the code cites them by number:
//  1. Base pay per period from the salary: ANNUAL annual / periods, MONTHLY monthly × 12 /
//     periods, HOURLY hourly × 2080 / periods (52 weeks of 40 hours), rounded half-up. Periods a
//     year: WEEKLY 52, BIWEEKLY 26, SEMIMONTHLY 24, MONTHLY 12.
//  2. Proration for an employee hired or terminated inside the period: base × employedDays /
//     periodDays (calendar days, inclusive), rounded half-up. Employed on no day of the period:
//     not in the run.
//  3. Earnings (EARNING components effective on the period's end): FIXED adds its amount,
//     PERCENT adds base × rateBasisPoints / 10000, rounded half-up. gross = base + earnings.
//  4. Pre-tax deductions (DEDUCTION, preTax): a FIXED amount or a PERCENT of gross, each rounded
//     half-up. taxable = gross − preTax.
//  5. Withholding by the organisation's tax table for the run's currency in effect on the
//     period's end (none: zero tax): annual = max(0, taxable × periods − standardDeduction), the
//     progressive brackets applied to it, tax = annual tax / periods, rounded half-up.
//  6. Post-tax deductions (DEDUCTION, not preTax), as in 4.
//  7. net = gross − preTax − tax − postTax. An item with a negative net blocks approval (409,
//     naming the employees).
//  8. Half-up rounds halves away from zero; a run's totals are the sums of its items' rounded
//     lines. An OFF_CYCLE item pays its given amount as gross, then 4-7 (no base pay, no
//     proration, no earnings).
//  9. Who is in a REGULAR run: drafting.hpp.
// Every amount is int64 minor units of the run's currency; intermediate values are exact
// (128-bit integers and exact rationals) and each line is rounded once, half-up (halves away from
// zero), the one two-step figure being a prorated base (rule 2 prorates rule 1's rounded base,
// see calculate_regular). A result beyond int64 is a CalculationOverflow.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/time.hpp"

namespace payrollx::payroll {

// 128-bit intermediates. `__extension__` because the build is -std=c++20 -Wpedantic -Werror, and
// ISO C++ has no __int128: spelled bare in a declaration it is a (fatal) pedantic warning.
__extension__ typedef __int128 Int128;

enum class Frequency { weekly, biweekly, semimonthly, monthly };
inline constexpr auto k_frequencies =
    enum_names<Frequency>({{Frequency::weekly, "WEEKLY"},
                           {Frequency::biweekly, "BIWEEKLY"},
                           {Frequency::semimonthly, "SEMIMONTHLY"},
                           {Frequency::monthly, "MONTHLY"}});
PAYROLLX_ENUM_NAMES(Frequency, k_frequencies, parse_frequency)
int periods_per_year(Frequency frequency);  // 52, 26, 24, 12

// A pay period, both dates inclusive.
struct Period {
  Date start;
  Date end;
  bool operator==(const Period&) const = default;
};

// A schedule's periods: the first starts at `first_period_start`; WEEKLY and BIWEEKLY periods
// are 7 and 14 days; MONTHLY periods run from the start's day of month to the day before it
// in the next month (clamped to the month's length); SEMIMONTHLY periods are the 1st-15th and
// the 16th-end of each month (a first_period_start that is neither the 1st nor the 16th starts
// a short first period up to the 15th or the month's end).
//
// MONTHLY clamping: period i starts on the anchor day (first_period_start's day of month) of the
// i-th month after the first, or on that month's last day when the month is shorter; it ends the
// day before period i+1 starts. The anchor is never lost to a short month, so the periods tile the
// calendar without gaps or overlaps. A start on Jan 31 (2026) gives Jan 31-Feb 27, Feb 28-Mar 30,
// Mar 31-Apr 29, Apr 30-May 30, May 31-Jun 29, ...; a start on the 1st gives calendar months.
Period period_at(Frequency frequency, Date first_period_start, int index);  // index >= 0
// The period that follows `period`: the schedule's period holding period.end + 1 (the first
// period when that day comes before first_period_start).
Period next_period(Frequency frequency, Date first_period_start, const Period& period);

struct Salary {
  std::int64_t amount = 0;  // minor units
  std::string period;       // ANNUAL, MONTHLY, HOURLY
};

// An earning or deduction of the employee (their compensation components).
struct Component {
  std::string kind;  // EARNING, DEDUCTION
  std::string name;
  std::string calc;  // FIXED, PERCENT
  std::optional<std::int64_t> amount;
  std::optional<std::int64_t> rate_basis_points;
  bool pre_tax = false;
  Date effective_from;
  std::optional<Date> effective_to;  // inclusive
};

// Annual progressive brackets: each rate applies to the part of the annual taxable amount
// between the previous bracket's up_to (0 for the first) and its own; the last has no up_to.
struct Bracket {
  std::optional<std::int64_t> up_to;
  std::int64_t rate_basis_points = 0;
};

struct TaxTable {
  std::vector<Bracket> brackets;
  std::int64_t standard_deduction = 0;
};

// One line of a payslip. kind: BASE, EARNING, PRE_TAX_DEDUCTION, TAX, POST_TAX_DEDUCTION.
struct Line {
  std::string kind;
  std::string name;
  std::int64_t amount = 0;
  bool operator==(const Line&) const = default;
};

struct Calculation {
  std::int64_t base_pay = 0;
  std::int64_t earnings = 0;
  std::int64_t gross = 0;
  std::int64_t pre_tax_deductions = 0;
  std::int64_t taxable = 0;
  std::int64_t tax = 0;
  std::int64_t post_tax_deductions = 0;
  std::int64_t net = 0;  // may be negative: that blocks approval
  std::vector<Line> lines;
};

struct Employment {
  Salary salary;
  Date hire_date;
  std::optional<Date> termination_date;
  std::vector<Component> components;  // all of them; the calculation picks the effective ones
};

class CalculationOverflow : public std::overflow_error {
 public:
  using std::overflow_error::overflow_error;
};

// Rules 1-7: base pay per period, proration by employed calendar days, earnings, pre-tax
// deductions, withholding, post-tax deductions, net. Components count when effective on
// period.end. No tax table: zero tax. nullopt when the employee was employed on no day of the
// period.
//
// Where the rules leave a choice, this is what it does:
// - Proration prorates rule 1's rounded base (the figure a payslip shows as the period's base),
//   so BASE = round(round(annual / periods) × employedDays / periodDays): anyone can redo it from
//   the payslip. The employed days run from max(hire_date, start) to min(termination_date, end),
//   both inclusive: the termination date is the last day worked (and paid). No proration when
//   the employee is employed on every day of the period.
// - PERCENT earnings are of the prorated base; PERCENT deductions are of gross. FIXED amounts
//   are never prorated.
// - Lines, in this order: BASE "Base pay" (always, even 0); one EARNING per effective earning
//   (its name); one PRE_TAX_DEDUCTION per effective pre-tax deduction; TAX "Withholding" when a
//   tax table applies (even when the tax is 0: the payslip shows withholding was computed), none
//   without a table; one POST_TAX_DEDUCTION per effective post-tax deduction. Components keep
//   their order within a kind. Amounts are positive for deductions and tax, so
//   net = BASE + ΣEARNING − ΣPRE_TAX_DEDUCTION − TAX − ΣPOST_TAX_DEDUCTION, exactly, and each
//   total of the Calculation is the sum of its lines.
// - taxable may be negative (deductions above gross); the annual amount is then 0, and so is tax.
//   net may be negative.
// Bad data that the API and the database refuse (an unknown salary period or calc, a FIXED
// component without amount, brackets that do not ascend, a period ending before it starts) is a
// std::invalid_argument: a bug, not a calculation.
std::optional<Calculation> calculate_regular(const Employment& employment, const Period& period,
                                             Frequency frequency,
                                             const std::optional<TaxTable>& tax_table);

// Rule 8: an OFF_CYCLE item pays `gross` (named by `description`), then rules 4-7 with the
// deductions effective on period_end. The given amount is one EARNING line named by the
// description (not BASE: rule 8 says there is no base pay), so base_pay = 0 and
// earnings = gross = the amount, and gross = base_pay + earnings holds as for a regular item.
// Earning components are not applied; deductions and withholding are, with `frequency`'s
// periods per year annualising the amount as if it were a regular period's pay.
Calculation calculate_off_cycle(std::int64_t gross, const std::string& description,
                                const std::vector<Component>& components, Date period_end,
                                Frequency frequency, const std::optional<TaxTable>& tax_table);

// round(numerator / denominator) half-up (halves away from zero); denominator > 0. Throws
// CalculationOverflow when the result does not fit int64.
std::int64_t round_half_up(Int128 numerator, Int128 denominator);

// The annual tax of `annual_taxable` (>= 0) by the brackets, as an exact integer count of
// 1/10000 minor units (rates are basis points): round it with round_half_up(x, 10000 * periods).
Int128 annual_tax_basis(const TaxTable& table, std::int64_t annual_taxable);

}  // namespace payrollx::payroll
