// The payroll calculation of calculation.hpp against figures worked out by hand: the arithmetic is
// in the comments, in minor units (USD cents, SOL lamports), so that a reader can check each
// expected value without running anything. Every calculation is also checked for the invariant the
// payslip relies on: each total is the sum of its lines, and net = the lines' signed sum.
#include <catch2/catch.hpp>
#include <chrono>
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "modules/payroll/calculation.hpp"

using namespace payrollx;
using namespace payrollx::payroll;

namespace {

Date d(int y, unsigned m, unsigned day) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{day}};
}

const Period k_april{d(2026, 4, 1), d(2026, 4, 30)};  // 30 days
const Period k_january{d(2026, 1, 1), d(2026, 1, 31)};

Employment employed(std::int64_t amount, std::string period,
                    std::vector<Component> components = {}) {
  return {.salary = {amount, std::move(period)},
          .hire_date = d(2020, 1, 1),
          .termination_date = std::nullopt,
          .components = std::move(components)};
}

Component fixed(std::string kind, std::string name, std::int64_t amount, bool pre_tax = false) {
  return {.kind = std::move(kind),
          .name = std::move(name),
          .calc = "FIXED",
          .amount = amount,
          .rate_basis_points = std::nullopt,
          .pre_tax = pre_tax,
          .effective_from = d(2020, 1, 1),
          .effective_to = std::nullopt};
}

Component percent(std::string kind, std::string name, std::int64_t basis_points,
                  bool pre_tax = false) {
  return {.kind = std::move(kind),
          .name = std::move(name),
          .calc = "PERCENT",
          .amount = std::nullopt,
          .rate_basis_points = basis_points,
          .pre_tax = pre_tax,
          .effective_from = d(2020, 1, 1),
          .effective_to = std::nullopt};
}

// 10% up to 10,000.00, 20% up to 40,000.00, 30% above; 12,000.00 standard deduction (cents).
TaxTable three_brackets() {
  return {.brackets = {{1'000'000, 1000}, {4'000'000, 2000}, {std::nullopt, 3000}},
          .standard_deduction = 1'200'000};
}

// The payslip's arithmetic: totals are the sums of their lines, net their signed sum.
void check_lines_add_up(const Calculation& c) {
  std::int64_t base = 0, earnings = 0, pre_tax = 0, tax = 0, post_tax = 0;
  for (const auto& line : c.lines) {
    if (line.kind == "BASE")
      base += line.amount;
    else if (line.kind == "EARNING")
      earnings += line.amount;
    else if (line.kind == "PRE_TAX_DEDUCTION")
      pre_tax += line.amount;
    else if (line.kind == "TAX")
      tax += line.amount;
    else if (line.kind == "POST_TAX_DEDUCTION")
      post_tax += line.amount;
    else
      FAIL("unknown line kind " << line.kind);
  }
  CHECK(base == c.base_pay);
  CHECK(earnings == c.earnings);
  CHECK(c.gross == c.base_pay + c.earnings);
  CHECK(pre_tax == c.pre_tax_deductions);
  CHECK(c.taxable == c.gross - c.pre_tax_deductions);
  CHECK(tax == c.tax);
  CHECK(post_tax == c.post_tax_deductions);
  CHECK(c.net == c.gross - c.pre_tax_deductions - c.tax - c.post_tax_deductions);
}

Calculation regular(const Employment& employment, const Period& period, Frequency frequency,
                    const std::optional<TaxTable>& table = std::nullopt) {
  auto calculation = calculate_regular(employment, period, frequency, table);
  REQUIRE(calculation);
  check_lines_add_up(*calculation);
  return *calculation;
}

std::int64_t base_of(std::int64_t amount, const std::string& period, Frequency frequency) {
  return regular(employed(amount, period), k_january, frequency).base_pay;
}

}  // namespace

TEST_CASE("payroll calculation: round_half_up rounds halves away from zero") {
  CHECK(round_half_up(5, 10) == 1);     // 0.5
  CHECK(round_half_up(15, 10) == 2);    // 1.5
  CHECK(round_half_up(14, 10) == 1);    // 1.4
  CHECK(round_half_up(16, 10) == 2);    // 1.6
  CHECK(round_half_up(-5, 10) == -1);   // -0.5 away from zero
  CHECK(round_half_up(-15, 10) == -2);  // -1.5
  CHECK(round_half_up(-14, 10) == -1);  // -1.4
  CHECK(round_half_up(-16, 10) == -2);  // -1.6
  CHECK(round_half_up(0, 7) == 0);
  CHECK(round_half_up(1, 3) == 0);   // 0.33
  CHECK(round_half_up(2, 3) == 1);   // 0.67
  CHECK(round_half_up(-1, 3) == 0);  // -0.33
  CHECK(round_half_up(-2, 3) == -1);
  CHECK(round_half_up(INT64_MAX, 1) == INT64_MAX);
  CHECK(round_half_up(INT64_MIN, 1) == INT64_MIN);
  CHECK_THROWS_AS(round_half_up(0, 0), std::invalid_argument);
}

TEST_CASE("payroll calculation: base pay per period for every frequency and salary period") {
  // ANNUAL 52,000.00 = 5,200,000 cents: / 52 = 100,000; / 26 = 200,000;
  // / 24 = 216,666.67 -> 216,667; / 12 = 433,333.33 -> 433,333.
  CHECK(base_of(5'200'000, "ANNUAL", Frequency::weekly) == 100'000);
  CHECK(base_of(5'200'000, "ANNUAL", Frequency::biweekly) == 200'000);
  CHECK(base_of(5'200'000, "ANNUAL", Frequency::semimonthly) == 216'667);
  CHECK(base_of(5'200'000, "ANNUAL", Frequency::monthly) == 433'333);

  // MONTHLY 5,000.00 = 500,000: × 12 = 6,000,000; / 52 = 115,384.615 -> 115,385;
  // / 26 = 230,769.23 -> 230,769; / 24 = 250,000; / 12 = 500,000.
  CHECK(base_of(500'000, "MONTHLY", Frequency::weekly) == 115'385);
  CHECK(base_of(500'000, "MONTHLY", Frequency::biweekly) == 230'769);
  CHECK(base_of(500'000, "MONTHLY", Frequency::semimonthly) == 250'000);
  CHECK(base_of(500'000, "MONTHLY", Frequency::monthly) == 500'000);

  // HOURLY 19.99 = 1,999: × 2080 = 4,157,920; / 52 = 79,960; / 26 = 159,920;
  // / 24 = 173,246.67 -> 173,247; / 12 = 346,493.33 -> 346,493.
  CHECK(base_of(1'999, "HOURLY", Frequency::weekly) == 79'960);
  CHECK(base_of(1'999, "HOURLY", Frequency::biweekly) == 159'920);
  CHECK(base_of(1'999, "HOURLY", Frequency::semimonthly) == 173'247);
  CHECK(base_of(1'999, "HOURLY", Frequency::monthly) == 346'493);

  // Without components or a table: one BASE line, gross = taxable = net = base.
  auto c = regular(employed(5'200'000, "ANNUAL"), k_january, Frequency::monthly);
  CHECK(c.lines == std::vector<Line>{{"BASE", "Base pay", 433'333}});
  CHECK(c.gross == 433'333);
  CHECK(c.taxable == 433'333);
  CHECK(c.tax == 0);
  CHECK(c.net == 433'333);
}

TEST_CASE("payroll calculation: proration at hire, at termination, both, and not employed") {
  // MONTHLY 5,000.00 on a MONTHLY schedule: full base 500,000; April has 30 days.
  auto employment = employed(500'000, "MONTHLY");

  SECTION("hired on the 11th: Apr 11-30 is 20 days; 500,000 × 20 / 30 = 333,333.33 -> 333,333") {
    employment.hire_date = d(2026, 4, 11);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 333'333);
  }
  SECTION("terminated on the 10th (the last day worked): 10 days; 500,000 × 10 / 30 -> 166,667") {
    employment.termination_date = d(2026, 4, 10);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 166'667);
  }
  SECTION("hired on the 6th, terminated on the 25th: 20 days -> 333,333") {
    employment.hire_date = d(2026, 4, 6);
    employment.termination_date = d(2026, 4, 25);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 333'333);
  }
  SECTION("hired on the period's last day: 1 day; 500,000 / 30 = 16,666.67 -> 16,667") {
    employment.hire_date = d(2026, 4, 30);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 16'667);
  }
  SECTION("terminated on the period's first day: 1 day -> 16,667") {
    employment.termination_date = d(2026, 4, 1);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 16'667);
  }
  SECTION("hired on the first day and terminated after the last: no proration") {
    employment.hire_date = d(2026, 4, 1);
    employment.termination_date = d(2026, 4, 30);
    CHECK(regular(employment, k_april, Frequency::monthly).base_pay == 500'000);
  }
  SECTION(
      "the rounded base is prorated: ANNUAL 1,000.00 monthly = 8,333.33 -> 8,333; "
      "hired Jan 17, 15 of 31 days: 8,333 × 15 / 31 = 124,995 / 31 = 4,032.10 -> 4,032") {
    auto small = employed(100'000, "ANNUAL");
    small.hire_date = d(2026, 1, 17);
    CHECK(regular(small, k_january, Frequency::monthly).base_pay == 4'032);
  }
  SECTION("hired after the period: not in it") {
    employment.hire_date = d(2026, 5, 1);
    CHECK_FALSE(calculate_regular(employment, k_april, Frequency::monthly, std::nullopt));
  }
  SECTION("terminated before the period: not in it") {
    employment.termination_date = d(2026, 3, 31);
    CHECK_FALSE(calculate_regular(employment, k_april, Frequency::monthly, std::nullopt));
  }
}

TEST_CASE("payroll calculation: FIXED and PERCENT earnings, of the prorated base") {
  // Base 500,000; Bonus FIXED 25,000; Commission 12.5% = 500,000 × 1,250 / 10,000 = 62,500.
  // gross = 500,000 + 25,000 + 62,500 = 587,500.
  auto employment =
      employed(500'000, "MONTHLY",
               {fixed("EARNING", "Bonus", 25'000), percent("EARNING", "Commission", 1'250)});
  auto c = regular(employment, k_april, Frequency::monthly);
  CHECK(c.base_pay == 500'000);
  CHECK(c.earnings == 87'500);
  CHECK(c.gross == 587'500);
  CHECK(c.lines == std::vector<Line>{{"BASE", "Base pay", 500'000},
                                     {"EARNING", "Bonus", 25'000},
                                     {"EARNING", "Commission", 62'500}});

  // Hired Apr 11: base 333,333 (see proration); 12.5% of it = 41,666.625 -> 41,667; the FIXED
  // bonus is not prorated: gross = 333,333 + 25,000 + 41,667 = 400,000.
  employment.hire_date = d(2026, 4, 11);
  auto prorated = regular(employment, k_april, Frequency::monthly);
  CHECK(prorated.base_pay == 333'333);
  CHECK(prorated.earnings == 66'667);
  CHECK(prorated.gross == 400'000);
}

TEST_CASE("payroll calculation: pre-tax and post-tax deductions, FIXED and PERCENT of gross") {
  // gross 587,500 as above.
  // Pre-tax: Pension FIXED 20,000; 401k 5% of gross = 587,500 × 500 / 10,000 = 29,375.
  //   pre-tax = 49,375; taxable = 587,500 - 49,375 = 538,125.
  // Post-tax: Union dues FIXED 3,000; Charity 1% of gross = 5,875. post-tax = 8,875.
  // No table: tax 0. net = 587,500 - 49,375 - 0 - 8,875 = 529,250.
  auto employment = employed(
      500'000, "MONTHLY",
      {fixed("EARNING", "Bonus", 25'000), percent("EARNING", "Commission", 1'250),
       fixed("DEDUCTION", "Union dues", 3'000), fixed("DEDUCTION", "Pension", 20'000, true),
       percent("DEDUCTION", "401k", 500, true), percent("DEDUCTION", "Charity", 100)});
  auto c = regular(employment, k_april, Frequency::monthly);
  CHECK(c.gross == 587'500);
  CHECK(c.pre_tax_deductions == 49'375);
  CHECK(c.taxable == 538'125);
  CHECK(c.tax == 0);
  CHECK(c.post_tax_deductions == 8'875);
  CHECK(c.net == 529'250);
  // Lines by kind, components in their order within a kind; no TAX line without a table.
  CHECK(c.lines == std::vector<Line>{{"BASE", "Base pay", 500'000},
                                     {"EARNING", "Bonus", 25'000},
                                     {"EARNING", "Commission", 62'500},
                                     {"PRE_TAX_DEDUCTION", "Pension", 20'000},
                                     {"PRE_TAX_DEDUCTION", "401k", 29'375},
                                     {"POST_TAX_DEDUCTION", "Union dues", 3'000},
                                     {"POST_TAX_DEDUCTION", "Charity", 5'875}});
}

TEST_CASE("payroll calculation: components count only when effective on the period's end") {
  auto starts_after = fixed("EARNING", "Starts in May", 1'000);
  starts_after.effective_from = d(2026, 5, 1);
  auto ended_before = fixed("EARNING", "Ended Apr 29", 2'000);
  ended_before.effective_to = d(2026, 4, 29);
  auto mid_period = fixed("DEDUCTION", "Ended mid-April", 3'000);
  mid_period.effective_to = d(2026, 4, 15);  // effective during the period, not on its end
  auto ends_on_end = fixed("EARNING", "Ends Apr 30", 4'000);
  ends_on_end.effective_to = d(2026, 4, 30);
  auto starts_on_end = fixed("DEDUCTION", "Starts Apr 30", 5'000, true);
  starts_on_end.effective_from = d(2026, 4, 30);

  auto employment = employed(500'000, "MONTHLY",
                             {starts_after, ended_before, mid_period, ends_on_end, starts_on_end});
  auto c = regular(employment, k_april, Frequency::monthly);
  // Counted: +4,000 earning, 5,000 pre-tax. gross 504,000; net 504,000 - 5,000 = 499,000.
  CHECK(c.lines == std::vector<Line>{{"BASE", "Base pay", 500'000},
                                     {"EARNING", "Ends Apr 30", 4'000},
                                     {"PRE_TAX_DEDUCTION", "Starts Apr 30", 5'000}});
  CHECK(c.gross == 504'000);
  CHECK(c.net == 499'000);
}

TEST_CASE("payroll calculation: withholding by a three-bracket table with a standard deduction") {
  // As in the deductions case: gross 587,500, pre-tax 49,375, taxable 538,125, post-tax 8,875.
  // annual = 538,125 × 12 - 1,200,000 = 6,457,500 - 1,200,000 = 5,257,500.
  // Brackets: 1,000,000 × 10% = 100,000; (4,000,000 - 1,000,000) × 20% = 600,000;
  //   (5,257,500 - 4,000,000) × 30% = 377,250. Annual tax 1,077,250.
  // tax = 1,077,250 / 12 = 89,770.83 -> 89,771 (exactly: 10,772,500,000 / 120,000).
  // net = 587,500 - 49,375 - 89,771 - 8,875 = 439,479.
  auto employment = employed(
      500'000, "MONTHLY",
      {fixed("EARNING", "Bonus", 25'000), percent("EARNING", "Commission", 1'250),
       fixed("DEDUCTION", "Pension", 20'000, true), percent("DEDUCTION", "401k", 500, true),
       fixed("DEDUCTION", "Union dues", 3'000), percent("DEDUCTION", "Charity", 100)});
  const auto table = three_brackets();
  CHECK(annual_tax_basis(table, 5'257'500) == 10'772'500'000);
  auto c = regular(employment, k_april, Frequency::monthly, table);
  CHECK(c.taxable == 538'125);
  CHECK(c.tax == 89'771);
  CHECK(c.net == 439'479);
  CHECK(c.lines == std::vector<Line>{{"BASE", "Base pay", 500'000},
                                     {"EARNING", "Bonus", 25'000},
                                     {"EARNING", "Commission", 62'500},
                                     {"PRE_TAX_DEDUCTION", "Pension", 20'000},
                                     {"PRE_TAX_DEDUCTION", "401k", 29'375},
                                     {"TAX", "Withholding", 89'771},
                                     {"POST_TAX_DEDUCTION", "Union dues", 3'000},
                                     {"POST_TAX_DEDUCTION", "Charity", 5'875}});

  // Weekly, ANNUAL 52,000.00: base 100,000; annual = 100,000 × 52 - 1,200,000 = 4,000,000,
  // exactly the second bracket's top: 100,000 + 600,000 = 700,000; / 52 = 13,461.54 -> 13,462.
  auto weekly = regular(employed(5'200'000, "ANNUAL"), k_january, Frequency::weekly, table);
  CHECK(weekly.tax == 13'462);
  CHECK(weekly.net == 100'000 - 13'462);

  // Inside the first bracket: MONTHLY 1,500.00; annual 1,800,000 - 1,200,000 = 600,000;
  // 10% = 60,000; / 12 = 5,000.
  CHECK(regular(employed(150'000, "MONTHLY"), k_january, Frequency::monthly, table).tax == 5'000);

  // Below the standard deduction: annual = max(0, 90,000 × 12 - 1,200,000) = 0; a TAX line of 0
  // still says that withholding was computed.
  auto untaxed = regular(employed(90'000, "MONTHLY"), k_january, Frequency::monthly, table);
  CHECK(untaxed.tax == 0);
  CHECK(untaxed.lines ==
        std::vector<Line>{{"BASE", "Base pay", 90'000}, {"TAX", "Withholding", 0}});
}

TEST_CASE("payroll calculation: annual_tax_basis applies each bracket to its own part") {
  const auto table = three_brackets();
  CHECK(annual_tax_basis(table, 0) == 0);
  CHECK(annual_tax_basis(table, 1) == 1'000);  // 1 × 1,000 bp
  // 1,000,000 × 1,000 = 1,000,000,000 (the first bracket's top, inclusive).
  CHECK(annual_tax_basis(table, 1'000'000) == 1'000'000'000);
  // + 1 cent at 2,000 bp.
  CHECK(annual_tax_basis(table, 1'000'001) == 1'000'002'000);
  // 1e9 + 3,000,000 × 2,000 + 1 × 3,000 = 7,000,003,000.
  CHECK(annual_tax_basis(table, 4'000'001) == 7'000'003'000);
  // One open bracket at 0%: no tax at all.
  CHECK(annual_tax_basis({.brackets = {{std::nullopt, 0}}, .standard_deduction = 0}, 5'000) == 0);
}

TEST_CASE("payroll calculation: exactly half a minor unit rounds up, a negative half down") {
  // Base: ANNUAL 5,200,026 weekly = 100,000.5 -> 100,001.
  // Earning 50% of it = 50,000.5 -> 50,001. gross 150,002.
  auto c = regular(employed(5'200'026, "ANNUAL", {percent("EARNING", "Half", 5'000)}), k_january,
                   Frequency::weekly);
  CHECK(c.base_pay == 100'001);
  CHECK(c.earnings == 50'001);

  // Tax: a flat 10% table, monthly taxable 105: annual 1,260 × 1,000 bp = 1,260,000 basis;
  // / (10,000 × 12) = 10.5 -> 11.
  const TaxTable flat{.brackets = {{std::nullopt, 1'000}}, .standard_deduction = 0};
  auto taxed = calculate_off_cycle(105, "Bonus", {}, d(2026, 1, 31), Frequency::monthly, flat);
  check_lines_add_up(taxed);
  CHECK(taxed.tax == 11);
  CHECK(taxed.net == 94);

  // A negative gross (a clawback) with a 10% post-tax deduction: -105 × 1,000 / 10,000 = -10.5
  // -> -11 (away from zero). Taxable -105: annual max(0, -1,260) = 0, tax 0.
  // net = -105 - 0 - 0 - (-11) = -94.
  auto negative = calculate_off_cycle(-105, "Clawback", {percent("DEDUCTION", "Levy", 1'000)},
                                      d(2026, 1, 31), Frequency::monthly, flat);
  check_lines_add_up(negative);
  CHECK(negative.post_tax_deductions == -11);
  CHECK(negative.tax == 0);
  CHECK(negative.net == -94);
}

TEST_CASE("payroll calculation: SOL amounts (9 decimals, ~1e12 lamports) stay exact") {
  // MONTHLY 1,000 SOL = 1,000,000,000,000 lamports, paid WEEKLY:
  //   base = 1e12 × 12 / 52 = 230,769,230,769.23 -> 230,769,230,769.
  // Earning 33.33%: 230,769,230,769 × 3,333 / 10,000 = 769,153,846,153,077 / 10,000
  //   = 76,915,384,615.31 -> 76,915,384,615. gross = 307,684,615,384.
  // Pre-tax 7.5% of gross: 307,684,615,384 × 750 / 10,000 = 23,076,346,153.8 -> 23,076,346,154.
  //   taxable = 284,608,269,230.
  // annual = 284,608,269,230 × 52 - 1,000,000,000,000 = 14,799,629,999,960 - 1e12
  //   = 13,799,629,999,960.
  // Brackets 10% to 1e13, 25% to 5e13, 40% above:
  //   1e13 × 1,000 + 3,799,629,999,960 × 2,500 = 1e16 + 9,499,074,999,900,000
  //   = 19,499,074,999,900,000 basis; / (10,000 × 52) = 37,498,221,153.65 -> 37,498,221,154.
  // Post-tax FIXED 5 SOL = 5,000,000,000.
  // net = 307,684,615,384 - 23,076,346,154 - 37,498,221,154 - 5,000,000,000 = 242,110,048,076.
  const TaxTable table{
      .brackets = {{10'000'000'000'000, 1'000}, {50'000'000'000'000, 2'500}, {std::nullopt, 4'000}},
      .standard_deduction = 1'000'000'000'000};
  auto employment = employed(
      1'000'000'000'000, "MONTHLY",
      {percent("EARNING", "Staking bonus", 3'333), percent("DEDUCTION", "Pension", 750, true),
       fixed("DEDUCTION", "Validator fee", 5'000'000'000)});
  auto c = regular(employment, k_january, Frequency::weekly, table);
  CHECK(c.base_pay == 230'769'230'769);
  CHECK(c.earnings == 76'915'384'615);
  CHECK(c.gross == 307'684'615'384);
  CHECK(c.pre_tax_deductions == 23'076'346'154);
  CHECK(c.taxable == 284'608'269'230);
  CHECK(c.tax == 37'498'221'154);
  CHECK(c.post_tax_deductions == 5'000'000'000);
  CHECK(c.net == 242'110'048'076);
}

TEST_CASE("payroll calculation: an annual amount beyond int64 is fine when the tax fits") {
  // taxable 1e18 weekly: annual 5.2e19 > INT64_MAX (9.22e18). Flat 10%:
  // 5.2e19 × 1,000 / (10,000 × 52) = 1e17 exactly.
  const TaxTable flat{.brackets = {{std::nullopt, 1'000}}, .standard_deduction = 0};
  auto c = calculate_off_cycle(1'000'000'000'000'000'000, "Large", {}, d(2026, 1, 31),
                               Frequency::weekly, flat);
  CHECK(c.tax == 100'000'000'000'000'000);
  CHECK(c.net == 900'000'000'000'000'000);
}

TEST_CASE("payroll calculation: a negative net is answered, not refused") {
  // Base 100,000; Loan repayment FIXED 150,000 post-tax: net = 100,000 - 150,000 = -50,000.
  auto c = regular(employed(100'000, "MONTHLY", {fixed("DEDUCTION", "Loan repayment", 150'000)}),
                   k_january, Frequency::monthly);
  CHECK(c.gross == 100'000);
  CHECK(c.post_tax_deductions == 150'000);
  CHECK(c.net == -50'000);

  // Pre-tax deductions above gross: taxable -20,000, annual 0, tax 0 (a TAX line of 0).
  auto below = regular(employed(100'000, "MONTHLY", {fixed("DEDUCTION", "Pension", 120'000, true)}),
                       k_january, Frequency::monthly, three_brackets());
  CHECK(below.taxable == -20'000);
  CHECK(below.tax == 0);
  CHECK(below.net == -20'000);
}

TEST_CASE("payroll calculation: off-cycle pays the given gross as one earning, then rules 4-7") {
  // gross 250,000 "Q3 bonus" (monthly schedule, three-bracket table):
  //   Pension 5% pre-tax = 12,500; taxable 237,500.
  //   annual = 237,500 × 12 - 1,200,000 = 2,850,000 - 1,200,000 = 1,650,000;
  //   1,000,000 × 10% + 650,000 × 20% = 100,000 + 130,000 = 230,000; / 12 = 19,166.67 -> 19,167.
  //   Union dues FIXED 3,000 post-tax.
  //   net = 250,000 - 12,500 - 19,167 - 3,000 = 215,333.
  // The EARNING component is not applied (rule 8: no earnings), nor is anything prorated.
  const std::vector<Component> components{percent("DEDUCTION", "Pension", 500, true),
                                          fixed("EARNING", "Bonus", 99'999),
                                          fixed("DEDUCTION", "Union dues", 3'000)};
  auto c = calculate_off_cycle(250'000, "Q3 bonus", components, d(2026, 9, 30), Frequency::monthly,
                               three_brackets());
  check_lines_add_up(c);
  CHECK(c.base_pay == 0);
  CHECK(c.earnings == 250'000);
  CHECK(c.gross == 250'000);
  CHECK(c.pre_tax_deductions == 12'500);
  CHECK(c.taxable == 237'500);
  CHECK(c.tax == 19'167);
  CHECK(c.post_tax_deductions == 3'000);
  CHECK(c.net == 215'333);
  CHECK(c.lines == std::vector<Line>{{"EARNING", "Q3 bonus", 250'000},
                                     {"PRE_TAX_DEDUCTION", "Pension", 12'500},
                                     {"TAX", "Withholding", 19'167},
                                     {"POST_TAX_DEDUCTION", "Union dues", 3'000}});

  // Deductions not effective on the period's end are left out; no table, no TAX line.
  auto later = percent("DEDUCTION", "Later", 500, true);
  later.effective_from = d(2026, 10, 1);
  auto plain = calculate_off_cycle(250'000, "Q3 bonus", {later}, d(2026, 9, 30), Frequency::monthly,
                                   std::nullopt);
  CHECK(plain.lines == std::vector<Line>{{"EARNING", "Q3 bonus", 250'000}});
  CHECK(plain.net == 250'000);
}

TEST_CASE("payroll calculation: a result beyond int64 is a CalculationOverflow") {
  // HOURLY INT64_MAX weekly: × 2080 / 52 = × 40, far beyond int64.
  CHECK_THROWS_AS(
      calculate_regular(employed(INT64_MAX, "HOURLY"), k_january, Frequency::weekly, std::nullopt),
      CalculationOverflow);
  // gross = base + a FIXED earning of INT64_MAX.
  CHECK_THROWS_AS(
      calculate_regular(employed(1'200, "MONTHLY", {fixed("EARNING", "Huge", INT64_MAX)}),
                        k_january, Frequency::monthly, std::nullopt),
      CalculationOverflow);
  // Two pre-tax deductions of INT64_MAX: their total does not fit.
  CHECK_THROWS_AS(calculate_off_cycle(100, "x",
                                      {fixed("DEDUCTION", "a", INT64_MAX, true),
                                       fixed("DEDUCTION", "b", INT64_MAX, true)},
                                      d(2026, 1, 31), Frequency::monthly, std::nullopt),
                  CalculationOverflow);
  // net = 0 - INT64_MAX (pre-tax) - INT64_MAX (post-tax) is below INT64_MIN.
  CHECK_THROWS_AS(
      calculate_off_cycle(
          0, "x", {fixed("DEDUCTION", "a", INT64_MAX, true), fixed("DEDUCTION", "b", INT64_MAX)},
          d(2026, 1, 31), Frequency::monthly, std::nullopt),
      CalculationOverflow);
  // A rounded quotient beyond int64.
  CHECK_THROWS_AS(round_half_up(Int128{INT64_MAX} * 4, 3), CalculationOverflow);
  CHECK_THROWS_AS(round_half_up(Int128{INT64_MIN} * 4, 3), CalculationOverflow);
  // The largest amounts that do fit are not refused: ANNUAL INT64_MAX monthly.
  CHECK(base_of(INT64_MAX, "ANNUAL", Frequency::monthly) == 768'614'336'404'564'651);
}
