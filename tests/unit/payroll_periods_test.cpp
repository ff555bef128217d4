// The periods of a pay schedule (calculation.hpp): fixed-length weekly and biweekly periods,
// semimonthly halves (February of a leap year included), monthly periods whose anchor day is
// clamped in short months without drifting, and next_period() agreeing with period_at().
#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

#include "modules/payroll/calculation.hpp"

using namespace payrollx;
using namespace payrollx::payroll;

namespace {

Date d(int y, unsigned m, unsigned day) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{day}};
}

Period p(Date start, Date end) {
  return {start, end};
}

Date next_day(Date date) {
  return Date{std::chrono::sys_days{date} + std::chrono::days{1}};
}

std::string shown(const Period& period) {
  return to_iso_date(period.start) + ".." + to_iso_date(period.end);
}

}  // namespace

TEST_CASE("payroll periods: frequencies have their API names and periods per year") {
  CHECK(to_string(Frequency::weekly) == "WEEKLY");
  CHECK(to_string(Frequency::biweekly) == "BIWEEKLY");
  CHECK(to_string(Frequency::semimonthly) == "SEMIMONTHLY");
  CHECK(to_string(Frequency::monthly) == "MONTHLY");
  CHECK(periods_per_year(Frequency::weekly) == 52);
  CHECK(periods_per_year(Frequency::biweekly) == 26);
  CHECK(periods_per_year(Frequency::semimonthly) == 24);
  CHECK(periods_per_year(Frequency::monthly) == 12);
  for (auto frequency :
       {Frequency::weekly, Frequency::biweekly, Frequency::semimonthly, Frequency::monthly})
    CHECK(parse_frequency(to_string(frequency)) == frequency);
  CHECK_FALSE(parse_frequency("weekly"));  // the exact API spelling only
  CHECK_FALSE(parse_frequency("QUARTERLY"));
  CHECK_FALSE(parse_frequency(""));
}

TEST_CASE("payroll periods: weekly and biweekly periods are 7 and 14 days from the first start") {
  const auto first = d(2026, 1, 5);  // a Monday
  CHECK(period_at(Frequency::weekly, first, 0) == p(d(2026, 1, 5), d(2026, 1, 11)));
  CHECK(period_at(Frequency::weekly, first, 1) == p(d(2026, 1, 12), d(2026, 1, 18)));
  // 52 × 7 = 364 days after Jan 5 2026 (a 365-day year): Jan 4 2027.
  CHECK(period_at(Frequency::weekly, first, 52) == p(d(2027, 1, 4), d(2027, 1, 10)));

  CHECK(period_at(Frequency::biweekly, first, 0) == p(d(2026, 1, 5), d(2026, 1, 18)));
  CHECK(period_at(Frequency::biweekly, first, 1) == p(d(2026, 1, 19), d(2026, 2, 1)));
  CHECK(period_at(Frequency::biweekly, first, 2) == p(d(2026, 2, 2), d(2026, 2, 15)));
  // Across a leap day: Feb 16 2028 + 13 days = Feb 29 2028.
  CHECK(period_at(Frequency::biweekly, d(2028, 2, 16), 0) == p(d(2028, 2, 16), d(2028, 2, 29)));
  CHECK(period_at(Frequency::biweekly, d(2028, 2, 16), 1) == p(d(2028, 3, 1), d(2028, 3, 14)));
}

TEST_CASE("payroll periods: semimonthly halves across February of a leap year") {
  const auto first = d(2028, 1, 1);  // 2028 is a leap year
  CHECK(period_at(Frequency::semimonthly, first, 0) == p(d(2028, 1, 1), d(2028, 1, 15)));
  CHECK(period_at(Frequency::semimonthly, first, 1) == p(d(2028, 1, 16), d(2028, 1, 31)));
  CHECK(period_at(Frequency::semimonthly, first, 2) == p(d(2028, 2, 1), d(2028, 2, 15)));
  CHECK(period_at(Frequency::semimonthly, first, 3) == p(d(2028, 2, 16), d(2028, 2, 29)));
  CHECK(period_at(Frequency::semimonthly, first, 4) == p(d(2028, 3, 1), d(2028, 3, 15)));
  // 24 halves a year: index 24 is January again, and index 23 the end of December.
  CHECK(period_at(Frequency::semimonthly, first, 23) == p(d(2028, 12, 16), d(2028, 12, 31)));
  CHECK(period_at(Frequency::semimonthly, first, 24) == p(d(2029, 1, 1), d(2029, 1, 15)));
  // The same half in a common year ends on the 28th.
  CHECK(period_at(Frequency::semimonthly, d(2027, 2, 16), 0) == p(d(2027, 2, 16), d(2027, 2, 28)));
  // Starting on the 16th: the second half first.
  CHECK(period_at(Frequency::semimonthly, d(2028, 2, 16), 1) == p(d(2028, 3, 1), d(2028, 3, 15)));
}

TEST_CASE("payroll periods: a semimonthly start mid-half gives a short first period") {
  CHECK(period_at(Frequency::semimonthly, d(2028, 2, 10), 0) == p(d(2028, 2, 10), d(2028, 2, 15)));
  CHECK(period_at(Frequency::semimonthly, d(2028, 2, 10), 1) == p(d(2028, 2, 16), d(2028, 2, 29)));
  CHECK(period_at(Frequency::semimonthly, d(2028, 2, 20), 0) == p(d(2028, 2, 20), d(2028, 2, 29)));
  CHECK(period_at(Frequency::semimonthly, d(2028, 2, 20), 1) == p(d(2028, 3, 1), d(2028, 3, 15)));
}

TEST_CASE("payroll periods: monthly periods are calendar months from the 1st") {
  const auto first = d(2026, 1, 1);
  CHECK(period_at(Frequency::monthly, first, 0) == p(d(2026, 1, 1), d(2026, 1, 31)));
  CHECK(period_at(Frequency::monthly, first, 1) == p(d(2026, 2, 1), d(2026, 2, 28)));
  CHECK(period_at(Frequency::monthly, first, 3) == p(d(2026, 4, 1), d(2026, 4, 30)));
  CHECK(period_at(Frequency::monthly, first, 11) == p(d(2026, 12, 1), d(2026, 12, 31)));
  CHECK(period_at(Frequency::monthly, first, 12) == p(d(2027, 1, 1), d(2027, 1, 31)));
  CHECK(period_at(Frequency::monthly, first, 25) == p(d(2028, 2, 1), d(2028, 2, 29)));
  // From the 15th: the 15th to the 14th of the next month.
  CHECK(period_at(Frequency::monthly, d(2026, 1, 15), 0) == p(d(2026, 1, 15), d(2026, 2, 14)));
  CHECK(period_at(Frequency::monthly, d(2026, 1, 15), 1) == p(d(2026, 2, 15), d(2026, 3, 14)));
  CHECK(period_at(Frequency::monthly, d(2026, 1, 15), 11) == p(d(2026, 12, 15), d(2027, 1, 14)));
}

TEST_CASE("payroll periods: a monthly anchor day past a month's end is clamped, not lost") {
  // Anchor 31: February's start clamps to its last day (28 in 2026), and the anchor comes back
  // in March (31) and clamps again in April (30).
  const auto first = d(2026, 1, 31);
  CHECK(period_at(Frequency::monthly, first, 0) == p(d(2026, 1, 31), d(2026, 2, 27)));
  CHECK(period_at(Frequency::monthly, first, 1) == p(d(2026, 2, 28), d(2026, 3, 30)));
  CHECK(period_at(Frequency::monthly, first, 2) == p(d(2026, 3, 31), d(2026, 4, 29)));
  CHECK(period_at(Frequency::monthly, first, 3) == p(d(2026, 4, 30), d(2026, 5, 30)));
  CHECK(period_at(Frequency::monthly, first, 4) == p(d(2026, 5, 31), d(2026, 6, 29)));
  // Leap year: February's start is the 29th.
  CHECK(period_at(Frequency::monthly, d(2028, 1, 31), 0) == p(d(2028, 1, 31), d(2028, 2, 28)));
  CHECK(period_at(Frequency::monthly, d(2028, 1, 31), 1) == p(d(2028, 2, 29), d(2028, 3, 30)));
  // Anchor 30: only February clamps.
  CHECK(period_at(Frequency::monthly, d(2026, 1, 30), 0) == p(d(2026, 1, 30), d(2026, 2, 27)));
  CHECK(period_at(Frequency::monthly, d(2026, 1, 30), 1) == p(d(2026, 2, 28), d(2026, 3, 29)));
  CHECK(period_at(Frequency::monthly, d(2026, 1, 30), 2) == p(d(2026, 3, 30), d(2026, 4, 29)));
  // Anchor 29 in a common year: Feb 28, then Mar 29 again.
  CHECK(period_at(Frequency::monthly, d(2027, 1, 29), 1) == p(d(2027, 2, 28), d(2027, 3, 28)));
}

TEST_CASE("payroll periods: next_period is period_at of the next index, periods tile the days") {
  const std::vector<Date> starts{d(2026, 1, 1),  d(2026, 1, 5),  d(2026, 1, 15), d(2026, 1, 16),
                                 d(2026, 1, 29), d(2026, 1, 30), d(2026, 1, 31), d(2028, 2, 29),
                                 d(2028, 2, 10), d(2027, 12, 31)};
  for (auto frequency :
       {Frequency::weekly, Frequency::biweekly, Frequency::semimonthly, Frequency::monthly}) {
    for (const auto& first : starts) {
      auto period = period_at(frequency, first, 0);
      CHECK(period.start == first);
      for (int index = 1; index <= 60; ++index) {
        const auto next = next_period(frequency, first, period);
        INFO(to_string(frequency) << " from " << to_iso_date(first) << " index " << index << ": "
                                  << shown(period) << " then " << shown(next));
        REQUIRE(next == period_at(frequency, first, index));
        CHECK(next.start == next_day(period.end));  // no gap, no overlap
        CHECK(next.start <= next.end);
        period = next;
      }
    }
  }
}

TEST_CASE("payroll periods: next_period before the first period is the first period") {
  const auto first = d(2026, 3, 1);
  const Period earlier{d(2026, 1, 1), d(2026, 1, 31)};
  CHECK(next_period(Frequency::monthly, first, earlier) == p(d(2026, 3, 1), d(2026, 3, 31)));
  const Period just_before{d(2026, 2, 1), d(2026, 2, 28)};
  CHECK(next_period(Frequency::weekly, first, just_before) == p(d(2026, 3, 1), d(2026, 3, 7)));
}

TEST_CASE("payroll periods: a negative index is refused") {
  CHECK_THROWS_AS(period_at(Frequency::monthly, d(2026, 1, 1), -1), std::invalid_argument);
}
