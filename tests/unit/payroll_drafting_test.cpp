// Drafting a run, the pure part: a request read against its schedule (period, pay date,
// currency), who is in a run and why the others are skipped, and totals that are the sums of the
// items.
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "core/error.hpp"
#include "modules/payroll/drafting.hpp"

using namespace payrollx;
using namespace payrollx::payroll;

namespace {

Date day(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

Schedule monthly() {
  Schedule schedule;
  schedule.frequency = Frequency::monthly;
  schedule.first_period_start = day(2026, 1, 15);
  schedule.next_period_start = day(2026, 3, 15);
  schedule.pay_date_offset_days = 3;
  schedule.currency = "USD";
  return schedule;
}

std::set<std::string> fields_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Problem& problem) {
    std::set<std::string> fields;
    for (const auto& error : problem.errors()) fields.insert(error.field);
    return fields;
  }
  FAIL("no problem was thrown");
  return {};
}

employee::RosterEntry person(const std::string& id_text, Date hired,
                             std::optional<Date> terminated = std::nullopt,
                             const std::string& currency = "USD",
                             employee::KycStatus kyc = employee::KycStatus::approved) {
  employee::RosterEntry entry;
  entry.payee.id = *Uuid::parse(id_text);
  entry.payee.wallet_id = Uuid::random();
  entry.payee.hire_date = hired;
  entry.payee.termination_date = terminated;
  entry.payee.salary = {.amount = 1200000, .currency = currency, .period = "ANNUAL"};
  entry.payee.pay_frequency = "MONTHLY";
  entry.payee.kyc_status = kyc;
  return entry;
}

}  // namespace

TEST_CASE("payroll drafting: a schedule gives the period, the pay date and the currency") {
  RunRequest request{.type = "REGULAR"};
  auto header = drafting::resolve(request, monthly());
  CHECK(header.period == Period{day(2026, 3, 15), day(2026, 4, 14)});
  CHECK(header.pay_date == day(2026, 4, 17));
  CHECK(header.currency == "USD");
  CHECK(header.frequency == Frequency::monthly);

  request.period_start = day(2026, 1, 15);
  request.period_end = day(2026, 2, 14);
  request.pay_date = day(2026, 2, 1);
  header = drafting::resolve(request, monthly());
  CHECK(header.period == Period{day(2026, 1, 15), day(2026, 2, 14)});
  CHECK(header.pay_date == day(2026, 2, 1));
}

TEST_CASE("payroll drafting: a request that does not fit its schedule names the fields") {
  RunRequest request{.type = "REGULAR", .period_start = day(2026, 2, 1), .currency = "EUR"};
  CHECK(fields_of([&] { drafting::resolve(request, monthly()); }) ==
        std::set<std::string>{"periodStart", "currency"});
  request = {.type = "REGULAR", .period_start = day(2026, 1, 1)};  // before the first period
  CHECK(fields_of([&] { drafting::resolve(request, monthly()); }) ==
        std::set<std::string>{"periodStart"});
  request = {.type = "REGULAR", .period_end = day(2026, 4, 15)};
  CHECK(fields_of([&] { drafting::resolve(request, monthly()); }) ==
        std::set<std::string>{"periodEnd"});
  request = {.type = "OFF_CYCLE"};
  CHECK(fields_of([&] { drafting::resolve(request, std::nullopt); }) ==
        std::set<std::string>{"periodStart", "periodEnd", "payDate", "currency"});
  request = {.type = "OFF_CYCLE",
             .period_start = day(2026, 1, 1),
             .period_end = day(2027, 1, 2),  // 367 days
             .pay_date = day(2026, 1, 1),
             .currency = "USD"};
  CHECK(fields_of([&] { drafting::resolve(request, std::nullopt); }) ==
        std::set<std::string>{"periodEnd"});
  request.period_end = day(2026, 12, 31);  // a whole year is fine
  CHECK(drafting::resolve(request, std::nullopt).period.end == day(2026, 12, 31));
}

TEST_CASE("payroll drafting: the eligible are calculated, the others skipped with one reason") {
  const drafting::Header header{.period = {day(2026, 2, 1), day(2026, 2, 28)},
                                .pay_date = day(2026, 2, 28),
                                .currency = "USD",
                                .frequency = Frequency::monthly};
  const std::vector<employee::RosterEntry> roster{
      person("00000000-0000-4000-8000-000000000001", day(2026, 1, 1)),
      person("00000000-0000-4000-8000-000000000002", day(2026, 2, 15)),  // half the period
      person("00000000-0000-4000-8000-000000000003", day(2026, 1, 1), day(2026, 1, 31)),
      person("00000000-0000-4000-8000-000000000004", day(2026, 3, 1), std::nullopt, "EUR",
             employee::KycStatus::pending),
      person("00000000-0000-4000-8000-000000000005", day(2026, 1, 1), std::nullopt, "EUR"),
      person("00000000-0000-4000-8000-000000000006", day(2026, 1, 1), std::nullopt, "USD",
             employee::KycStatus::rejected)};
  const RunRequest request{.type = "REGULAR"};
  auto calculated = drafting::calculate(request, header, roster, true, std::nullopt);
  REQUIRE(calculated.items.size() == 2);
  CHECK(calculated.items[0].amounts.base_pay == 100000);
  CHECK(calculated.items[1].amounts.base_pay == 50000);
  CHECK(calculated.items[1].position == 1);
  CHECK(calculated.items[1].wallet_id == roster[1].payee.wallet_id);
  CHECK(calculated.totals.net == 150000);
  CHECK(calculated.totals.gross == 150000);
  std::vector<std::string> reasons;
  for (const auto& skipped : calculated.skipped) reasons.push_back(skipped.reason);
  CHECK(reasons == std::vector<std::string>{"terminated", "not_started", "currency_mismatch",
                                            "kyc_not_approved"});

  // Without the KYC policy the rejected employee is paid; explicit amounts ignore employment.
  CHECK(drafting::calculate(request, header, roster, false, std::nullopt).items.size() == 3);
  const RunRequest bonus{
      .type = "OFF_CYCLE",
      .items = std::vector<ItemRequest>{
          {.employee_id = roster[2].payee.id, .amount = 7000, .description = "Final bonus"}}};
  const std::vector<employee::RosterEntry> leaver{roster[2]};
  auto paid = drafting::calculate(bonus, header, leaver, true, std::nullopt);
  REQUIRE(paid.items.size() == 1);
  CHECK(paid.items[0].amounts.gross == 7000);
}
