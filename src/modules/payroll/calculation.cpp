// The payroll calculation, rule by rule (calculation.hpp states the rules, numbered as cited
// here, and the choices they leave open).
//
// Arithmetic: every product and sum is taken in __int128, where no product of an int64 amount
// and a rate, a day count or a period count can overflow; a figure is narrowed back to int64
// only as a line or total of the result, and one that does not fit is a CalculationOverflow
// (never a wrapped amount). Rounding happens in round_half_up() only.
#include "modules/payroll/calculation.hpp"

#include <stdexcept>
#include <string_view>

namespace payrollx::payroll {
namespace {

using Wide = Int128;

constexpr Wide k_basis_points = 10000;
constexpr Wide k_hours_per_year = 2080;  // an hourly salary's year: 52 weeks of 40 hours

constexpr std::string_view k_base_name = "Base pay";
constexpr std::string_view k_tax_name = "Withholding";

std::int64_t narrow(Wide value, std::string_view what) {
  if (value > INT64_MAX || value < INT64_MIN)
    throw CalculationOverflow(std::string(what) + " does not fit a 64-bit amount");
  return static_cast<std::int64_t>(value);
}

Wide abs_wide(Wide value) {
  return value < 0 ? -value : value;
}

bool effective_on(const Component& component, Date date) {
  return component.effective_from <= date &&
         (!component.effective_to || *component.effective_to >= date);
}

// A FIXED amount, or PERCENT of `of` (rounded half-up on its own: one line, one rounding).
std::int64_t component_amount(const Component& component, std::int64_t of) {
  if (component.calc == "FIXED") {
    if (!component.amount) throw std::invalid_argument("a FIXED component without an amount");
    return *component.amount;
  }
  if (component.calc == "PERCENT") {
    if (!component.rate_basis_points)
      throw std::invalid_argument("a PERCENT component without rateBasisPoints");
    return round_half_up(Wide{of} * *component.rate_basis_points, k_basis_points);
  }
  throw std::invalid_argument("a component calc other than FIXED or PERCENT");
}

// Rule 1: the full period's base pay, rounded.
std::int64_t base_per_period(const Salary& salary, int periods) {
  Wide annual;
  if (salary.period == "ANNUAL")
    annual = salary.amount;
  else if (salary.period == "MONTHLY")
    annual = Wide{salary.amount} * 12;
  else if (salary.period == "HOURLY")
    annual = Wide{salary.amount} * k_hours_per_year;
  else
    throw std::invalid_argument("a salary period other than ANNUAL, MONTHLY or HOURLY");
  return round_half_up(annual, periods);
}

// The total of the lines of `kind` taken from the components matching `wanted`, appended in the
// components' order.
template <class Wanted>
Wide add_component_lines(Calculation& calculation, const std::vector<Component>& components,
                         Date on, std::string_view kind, std::int64_t of, Wanted wanted) {
  Wide total = 0;
  for (const auto& component : components) {
    if (!wanted(component) || !effective_on(component, on)) continue;
    const auto amount = component_amount(component, of);
    calculation.lines.push_back({std::string(kind), component.name, amount});
    total += amount;
  }
  return total;
}

bool is_pre_tax_deduction(const Component& c) {
  return c.kind == "DEDUCTION" && c.pre_tax;
}
bool is_post_tax_deduction(const Component& c) {
  return c.kind == "DEDUCTION" && !c.pre_tax;
}

// The annual tax of an annual amount that may exceed int64 (taxable × periods), in 1/10000
// minor units. Each bracket's part is at most `annual`, so part × rate stays far inside 128 bits.
Wide annual_tax_basis_wide(const TaxTable& table, Wide annual) {
  Wide tax = 0;
  Wide lower = 0;
  for (const auto& bracket : table.brackets) {
    if (annual <= lower) break;
    const Wide upper = bracket.up_to ? Wide{*bracket.up_to} : annual;
    if (upper <= lower) throw std::invalid_argument("tax brackets whose upTo do not ascend");
    tax += ((annual < upper ? annual : upper) - lower) * bracket.rate_basis_points;
    if (!bracket.up_to) break;
    lower = upper;
  }
  return tax;
}

// Rules 4-7 once gross is known: deductions, withholding, net. Appends their lines.
void deductions_and_tax(Calculation& calculation, const std::vector<Component>& components, Date on,
                        int periods, const std::optional<TaxTable>& tax_table) {
  const auto gross = calculation.gross;
  calculation.pre_tax_deductions =
      narrow(add_component_lines(calculation, components, on, "PRE_TAX_DEDUCTION", gross,
                                 is_pre_tax_deduction),
             "pre-tax deductions");
  calculation.taxable = narrow(Wide{gross} - calculation.pre_tax_deductions, "taxable");

  if (tax_table) {
    Wide annual = Wide{calculation.taxable} * periods - tax_table->standard_deduction;
    if (annual < 0) annual = 0;
    calculation.tax =
        round_half_up(annual_tax_basis_wide(*tax_table, annual), k_basis_points * periods);
    calculation.lines.push_back({"TAX", std::string(k_tax_name), calculation.tax});
  }

  calculation.post_tax_deductions =
      narrow(add_component_lines(calculation, components, on, "POST_TAX_DEDUCTION", gross,
                                 is_post_tax_deduction),
             "post-tax deductions");
  calculation.net = narrow(Wide{gross} - calculation.pre_tax_deductions - calculation.tax -
                               calculation.post_tax_deductions,
                           "net");
}

}  // namespace

std::int64_t round_half_up(Wide numerator, Wide denominator) {
  if (denominator <= 0) throw std::invalid_argument("round_half_up needs a positive denominator");
  Wide quotient = numerator / denominator;  // truncated toward zero
  const Wide remainder = abs_wide(numerator % denominator);
  // remainder >= denominator - remainder is 2 × remainder >= denominator without the doubling
  // (which could overflow for a numerator near the edge of 128 bits).
  if (remainder >= denominator - remainder) quotient += numerator < 0 ? -1 : 1;
  return narrow(quotient, "a rounded amount");
}

Wide annual_tax_basis(const TaxTable& table, std::int64_t annual_taxable) {
  return annual_tax_basis_wide(table, annual_taxable < 0 ? 0 : annual_taxable);
}

std::optional<Calculation> calculate_regular(const Employment& employment, const Period& period,
                                             Frequency frequency,
                                             const std::optional<TaxTable>& tax_table) {
  using std::chrono::sys_days;
  if (period.end < period.start) throw std::invalid_argument("a period that ends before it starts");
  const Date first_day = employment.hire_date > period.start ? employment.hire_date : period.start;
  Date last_day = period.end;
  if (employment.termination_date && *employment.termination_date < last_day)
    last_day = *employment.termination_date;
  if (last_day < first_day) return std::nullopt;  // employed on no day of the period

  const int periods = periods_per_year(frequency);
  Calculation calculation;
  calculation.base_pay = base_per_period(employment.salary, periods);
  // Rule 2, only for a joiner or leaver: the full period's (rounded) base, by calendar days.
  if (first_day != period.start || last_day != period.end) {
    const auto employed_days = (sys_days{last_day} - sys_days{first_day}).count() + 1;
    const auto period_days = (sys_days{period.end} - sys_days{period.start}).count() + 1;
    calculation.base_pay =
        round_half_up(Wide{calculation.base_pay} * employed_days, Wide{period_days});
  }
  calculation.lines.push_back({"BASE", std::string(k_base_name), calculation.base_pay});

  calculation.earnings =
      narrow(add_component_lines(calculation, employment.components, period.end, "EARNING",
                                 calculation.base_pay,
                                 [](const Component& c) { return c.kind == "EARNING"; }),
             "earnings");
  calculation.gross = narrow(Wide{calculation.base_pay} + calculation.earnings, "gross");
  deductions_and_tax(calculation, employment.components, period.end, periods, tax_table);
  return calculation;
}

Calculation calculate_off_cycle(std::int64_t gross, const std::string& description,
                                const std::vector<Component>& components, Date period_end,
                                Frequency frequency, const std::optional<TaxTable>& tax_table) {
  Calculation calculation;
  calculation.earnings = gross;
  calculation.gross = gross;
  calculation.lines.push_back({"EARNING", description, gross});
  deductions_and_tax(calculation, components, period_end, periods_per_year(frequency), tax_table);
  return calculation;
}

}  // namespace payrollx::payroll
