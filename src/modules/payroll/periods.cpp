// Pay frequencies and the periods of a schedule (calculation.hpp says the rules).
//
// Every period is a function of (frequency, first_period_start, index) alone, never of the
// previous period: a schedule whose anchor day is clamped in a short month (a start on the 31st
// gives Feb 28 in February) comes back to the 31st in March instead of drifting to the 28th for
// ever. next_period() finds the index of the day after the period and asks period_at() for it,
// so both agree by construction.
#include <chrono>
#include <stdexcept>

#include "modules/payroll/calculation.hpp"

namespace payrollx::payroll {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

Date add_days(Date date, int count) {
  return Date{sys_days{date} + days{count}};
}

// Days from `from` to `to` (negative when `to` is earlier).
int days_between(Date from, Date to) {
  return static_cast<int>((sys_days{to} - sys_days{from}).count());
}

// Months since year 0, so that month arithmetic is plain integer arithmetic.
int month_number(Date date) {
  return static_cast<int>(date.year()) * 12 +
         static_cast<int>(static_cast<unsigned>(date.month())) - 1;
}

std::chrono::year_month month_of(int number) {
  return {std::chrono::year{number / 12},
          std::chrono::month{static_cast<unsigned>(number % 12 + 1)}};
}

Date last_day_of(std::chrono::year_month month) {
  return Date{month / std::chrono::last};
}

// MONTHLY: the anchor day of month in month `number`, clamped to the month's length.
Date monthly_start(Date first, int number) {
  const auto month = month_of(number);
  const auto last = last_day_of(month);
  return first.day() > last.day() ? last : Date{month / first.day()};
}

// SEMIMONTHLY halves are numbered two per month: even = 1st-15th, odd = 16th-end.
int half_number(Date date) {
  return month_number(date) * 2 + (static_cast<unsigned>(date.day()) >= 16 ? 1 : 0);
}

Period half_period(int number) {
  const auto month = month_of(number / 2);
  if (number % 2 == 0)
    return {Date{month / std::chrono::day{1}}, Date{month / std::chrono::day{15}}};
  return {Date{month / std::chrono::day{16}}, last_day_of(month)};
}

int fixed_length(Frequency frequency) {
  return frequency == Frequency::weekly ? 7 : 14;
}

// The index of the period holding `date` (0 for any date before the first period).
int index_of(Frequency frequency, Date first, Date date) {
  if (sys_days{date} <= sys_days{first}) return 0;
  switch (frequency) {
    case Frequency::weekly:
    case Frequency::biweekly:
      return days_between(first, date) / fixed_length(frequency);
    case Frequency::semimonthly:
      return half_number(date) - half_number(first);
    case Frequency::monthly: {
      // A period starts inside its own month, so the date's month names its period unless the
      // date comes before that month's (clamped) anchor day.
      const int index = month_number(date) - month_number(first);
      return sys_days{date} < sys_days{monthly_start(first, month_number(date))} ? index - 1
                                                                                 : index;
    }
  }
  throw std::invalid_argument("unknown pay frequency");
}

}  // namespace

int periods_per_year(Frequency frequency) {
  switch (frequency) {
    case Frequency::weekly:
      return 52;
    case Frequency::biweekly:
      return 26;
    case Frequency::semimonthly:
      return 24;
    case Frequency::monthly:
      return 12;
  }
  throw std::invalid_argument("unknown pay frequency");
}

Period period_at(Frequency frequency, Date first_period_start, int index) {
  if (index < 0) throw std::invalid_argument("a period index is >= 0");
  if (!first_period_start.ok()) throw std::invalid_argument("first_period_start is not a date");
  switch (frequency) {
    case Frequency::weekly:
    case Frequency::biweekly: {
      const int length = fixed_length(frequency);
      const auto start = add_days(first_period_start, index * length);
      return {start, add_days(start, length - 1)};
    }
    case Frequency::semimonthly: {
      auto period = half_period(half_number(first_period_start) + index);
      if (index == 0) period.start = first_period_start;  // a short first period
      return period;
    }
    case Frequency::monthly: {
      const int number = month_number(first_period_start) + index;
      return {monthly_start(first_period_start, number),
              add_days(monthly_start(first_period_start, number + 1), -1)};
    }
  }
  throw std::invalid_argument("unknown pay frequency");
}

Period next_period(Frequency frequency, Date first_period_start, const Period& period) {
  const auto after = add_days(period.end, 1);
  return period_at(frequency, first_period_start, index_of(frequency, first_period_start, after));
}

}  // namespace payrollx::payroll
