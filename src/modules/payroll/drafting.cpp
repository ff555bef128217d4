#include "modules/payroll/drafting.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "core/error.hpp"

namespace payrollx::payroll::drafting {
namespace {

// A period that starts this many periods after the schedule's first is refused rather than
// searched for: 100 years of weekly periods.
constexpr int k_max_periods = 5300;
// An OFF_CYCLE period without a schedule spans at most a year (a leap year's 366 days).
constexpr std::int64_t k_max_period_days = 366;

std::int64_t days_between(Date from, Date to) {
  return (std::chrono::sys_days(to) - std::chrono::sys_days(from)).count();
}

Period scheduled_period(const RunRequest& request, const Schedule& schedule,
                        std::vector<FieldError>& errors) {
  const auto start = request.period_start.value_or(schedule.next_period_start);
  auto period = period_starting(schedule, start);
  if (!period) {
    errors.push_back({request.period_start ? "periodStart" : "scheduleId",
                      fmt::format("{} is not the start of a period of the schedule (its periods "
                                  "start on {} and follow every {})",
                                  to_iso_date(start), to_iso_date(schedule.first_period_start),
                                  to_string(schedule.frequency))});
    return {start, start};
  }
  if (request.period_end && *request.period_end != period->end)
    errors.push_back({"periodEnd", fmt::format("must be {}, the end of the schedule's period "
                                               "starting {} (or be left out)",
                                               to_iso_date(period->end), to_iso_date(start))});
  return *period;
}

Header with_schedule(const RunRequest& request, const Schedule& schedule,
                     std::vector<FieldError>& errors) {
  Header header;
  header.frequency = schedule.frequency;
  header.period = scheduled_period(request, schedule, errors);
  if (request.currency && *request.currency != schedule.currency)
    errors.push_back(
        {"currency", fmt::format("must be the schedule's currency, {}", schedule.currency)});
  header.currency = schedule.currency;
  header.pay_date =
      request.pay_date.value_or(plus_days(header.period.end, schedule.pay_date_offset_days));
  return header;
}

Header without_schedule(const RunRequest& request, std::vector<FieldError>& errors) {
  Header header;
  auto require = [&](const auto& value, std::string_view field) {
    if (!value)
      errors.push_back({std::string(field), "is required for an OFF_CYCLE run without a schedule"});
    return value.has_value();
  };
  const bool started = require(request.period_start, "periodStart");
  const bool ended = require(request.period_end, "periodEnd");
  require(request.pay_date, "payDate");
  require(request.currency, "currency");
  if (started && ended) {
    header.period = {*request.period_start, *request.period_end};
    const auto days = days_between(header.period.start, header.period.end);
    if (days < 0)
      errors.push_back({"periodEnd", "must not be before periodStart"});
    else if (days >= k_max_period_days)
      errors.push_back(
          {"periodEnd", fmt::format("must be within {} days of periodStart", k_max_period_days)});
  }
  if (request.pay_date) header.pay_date = *request.pay_date;
  if (request.currency) header.currency = *request.currency;
  return header;
}

// Why an employee is not in a run, if they are not. Employment comes first: someone not
// employed in the period is out whatever their currency or KYC; explicit OFF_CYCLE amounts
// (a bonus, a final settlement) are paid whatever the employment dates.
std::optional<std::string> skip_reason(const employee::Payee& payee, const Header& header,
                                       bool check_employment, bool kyc_required) {
  if (check_employment) {
    if (payee.termination_date && *payee.termination_date < header.period.start)
      return "terminated";
    if (payee.hire_date > header.period.end) return "not_started";
  }
  if (payee.salary.currency != header.currency) return "currency_mismatch";
  if (kyc_required && payee.kyc_status != employee::KycStatus::approved) return "kyc_not_approved";
  return std::nullopt;
}

std::vector<Component> components_of(const std::vector<employee::Component>& components) {
  std::vector<Component> out;
  out.reserve(components.size());
  for (const auto& c : components)
    out.push_back({.kind = c.kind,
                   .name = c.name,
                   .calc = c.calc,
                   .amount = c.amount,
                   .rate_basis_points = c.rate_basis_points,
                   .pre_tax = c.pre_tax,
                   .effective_from = c.effective_from,
                   .effective_to = c.effective_to});
  return out;
}

Employment employment_of(const employee::RosterEntry& entry) {
  const auto& e = entry.payee;
  return {.salary = {.amount = e.salary.amount, .period = e.salary.period},
          .hire_date = e.hire_date,
          .termination_date = e.termination_date,
          .components = components_of(entry.components)};
}

void add(std::int64_t& total, std::int64_t amount) {
  if (__builtin_add_overflow(total, amount, &total))
    throw conflict("The run's totals go beyond the largest amount the ledger holds.");
}

void add(Totals& totals, const Calculation& amounts) {
  add(totals.gross, amounts.gross);
  add(totals.pre_tax_deductions, amounts.pre_tax_deductions);
  add(totals.tax, amounts.tax);
  add(totals.post_tax_deductions, amounts.post_tax_deductions);
  add(totals.net, amounts.net);
}

// The requested OFF_CYCLE amounts by employee, with their index for error fields.
std::map<Uuid, std::pair<std::size_t, const ItemRequest*>> requested_items(
    const RunRequest& request) {
  std::map<Uuid, std::pair<std::size_t, const ItemRequest*>> by_employee;
  if (request.items)
    for (std::size_t i = 0; i < request.items->size(); ++i)
      by_employee[(*request.items)[i].employee_id] = {i, &(*request.items)[i]};
  return by_employee;
}

std::optional<Calculation> calculate_one(const employee::RosterEntry& entry, const Header& header,
                                         Frequency frequency,
                                         const std::optional<TaxTable>& tax_table,
                                         const std::pair<std::size_t, const ItemRequest*>* item) {
  try {
    if (item)
      return calculate_off_cycle(item->second->amount, item->second->description,
                                 components_of(entry.components), header.period.end, frequency,
                                 tax_table);
    return calculate_regular(employment_of(entry), header.period, frequency, tax_table);
  } catch (const CalculationOverflow&) {
    if (item)
      throw validation_failed(fmt::format("items[{}].amount", item->first),
                              "is too large to calculate");
    throw conflict(
        fmt::format("The pay of employee {} goes beyond the largest amount the "
                    "ledger holds; check their salary and components.",
                    entry.payee.id.str()));
  }
}

}  // namespace

Frequency frequency_of(std::string_view text) {
  // Read from the employee module (its payFrequency), not from its table.
  return k_frequencies.stored(text, "an employee's pay frequency");
}

Date plus_days(Date date, std::int64_t days) {
  return Date{std::chrono::sys_days(date) + std::chrono::days(days)};
}

std::optional<Period> period_starting(const Schedule& schedule, Date start) {
  const auto frequency = schedule.frequency;
  if (start < schedule.first_period_start) return std::nullopt;
  auto period = period_at(frequency, schedule.first_period_start, 0);
  for (int i = 0; period.start < start && i < k_max_periods; ++i)
    period = next_period(frequency, schedule.first_period_start, period);
  if (period.start != start) return std::nullopt;
  return period;
}

Header resolve(const RunRequest& request, const std::optional<Schedule>& schedule) {
  std::vector<FieldError> errors;
  auto header =
      schedule ? with_schedule(request, *schedule, errors) : without_schedule(request, errors);
  if (errors.empty() && header.pay_date < header.period.start)
    errors.push_back({"payDate", fmt::format("must not be before the period's start, {}",
                                             to_iso_date(header.period.start))});
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return header;
}

std::optional<std::vector<Uuid>> named_employees(const RunRequest& request) {
  if (request.employee_ids) return request.employee_ids;
  if (request.items) {
    std::vector<Uuid> ids;
    ids.reserve(request.items->size());
    for (const auto& item : *request.items) ids.push_back(item.employee_id);
    return ids;
  }
  return std::nullopt;
}

void require_known(const RunRequest& request, const std::vector<employee::RosterEntry>& roster) {
  auto named = named_employees(request);
  if (!named) return;
  std::map<Uuid, bool> known;
  for (const auto& entry : roster) known[entry.payee.id] = true;
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < named->size(); ++i) {
    if (known.contains((*named)[i])) continue;
    errors.push_back({request.employee_ids ? fmt::format("employeeIds[{}]", i)
                                           : fmt::format("items[{}].employeeId", i),
                      "is not an employee of the organisation"});
  }
  if (!errors.empty())
    throw not_found("An employee of the request does not exist.", std::move(errors));
}

std::optional<TaxTable> tax_table_of(const std::optional<compliance::TaxTable>& table) {
  if (!table) return std::nullopt;
  TaxTable converted{.brackets = {}, .standard_deduction = table->standard_deduction};
  for (const auto& bracket : table->brackets)
    converted.brackets.push_back(
        {.up_to = bracket.up_to, .rate_basis_points = bracket.rate_basis_points});
  return converted;
}

Calculated calculate(const RunRequest& request, const Header& header,
                     const std::vector<employee::RosterEntry>& roster, bool kyc_required,
                     const std::optional<TaxTable>& tax_table) {
  const auto items = requested_items(request);
  const bool explicit_amounts = request.items.has_value();
  Calculated calculated;
  // At most one item per employee, sized once: a run's 100,000 items are 20 MB, and growing them
  // by doubling moves them through 40 MB of freshly mapped memory.
  calculated.items.reserve(roster.size());
  for (const auto& entry : roster) {
    const auto& payee = entry.payee;
    if (auto reason = skip_reason(payee, header, !explicit_amounts, kyc_required)) {
      calculated.skipped.push_back({.employee_id = payee.id, .reason = std::move(*reason)});
      continue;
    }
    const auto frequency = header.frequency.value_or(frequency_of(payee.pay_frequency));
    auto found = items.find(payee.id);
    auto amounts = calculate_one(entry, header, frequency, tax_table,
                                 found == items.end() ? nullptr : &found->second);
    if (!amounts) {  // employed on no day of the period after all: the dates said so above
      calculated.skipped.push_back(
          {.employee_id = payee.id,
           .reason = payee.hire_date > header.period.end ? "not_started" : "terminated"});
      continue;
    }
    add(calculated.totals, *amounts);
    calculated.items.push_back({.id = Uuid::random(),
                                .run_id = {},
                                .employee_id = payee.id,
                                .wallet_id = payee.wallet_id,
                                .position = static_cast<int>(calculated.items.size()),
                                .amounts = std::move(*amounts),
                                .status = ItemStatus::pending,
                                .transaction_id = std::nullopt,
                                .reversal_transaction_id = std::nullopt});
  }
  return calculated;
}

}  // namespace payrollx::payroll::drafting
