// Salaries in major units to integer minor units: exact digit arithmetic with the currency's
// scale, refusing what would need rounding or would not fit an int64.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "modules/employee/decimal.hpp"

using payrollx::employee::to_minor_units;

namespace {

std::int64_t minor(std::string_view text, int scale) {
  auto result = to_minor_units(text, scale);
  INFO(text << " at scale " << scale << ": " << result.error);
  REQUIRE(result.ok());
  return result.value;
}

bool refused(std::string_view text, int scale) {
  return !to_minor_units(text, scale).ok();
}

}  // namespace

TEST_CASE("decimal: major units convert exactly with the currency's scale") {
  CHECK(minor("52000", 2) == 5200000);
  CHECK(minor("52000.5", 2) == 5200050);
  CHECK(minor("52000.50", 2) == 5200050);
  CHECK(minor("0.01", 2) == 1);
  CHECK(minor("0", 2) == 0);
  CHECK(minor("007.10", 2) == 710);
  CHECK(minor("1000", 0) == 1000);         // JPY
  CHECK(minor("1.000001", 6) == 1000001);  // USDC
  CHECK(minor("0.000000001", 9) == 1);     // SOL
  CHECK(minor("2500.1", 9) == 2500100000000);
  // Values no double holds exactly stay exact.
  CHECK(minor("90071992547409.93", 2) == 9007199254740993);
  CHECK(minor("0.1", 1) == 1);
}

TEST_CASE("decimal: the int64 boundary") {
  CHECK(minor("92233720368547758.07", 2) == std::numeric_limits<std::int64_t>::max());
  CHECK(refused("92233720368547758.08", 2));
  CHECK(refused("92233720368547758.10", 2));
  CHECK(refused("99999999999999999999999", 0));
  CHECK(refused("10", 18));
  CHECK(minor("9.223372036854775807", 18) == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("decimal: more decimals than the scale, and malformed numbers, are refused") {
  CHECK(refused("1.005", 2));
  CHECK(refused("1.0", 0));
  CHECK(refused("0.0000000001", 9));
  for (auto text : {"", ".", "1.", ".5", "-1", "+1", "1e3", "1,000.00", " 1", "1 ", "1..2", "1.2.3",
                    "abc", "0x10", "١٢"})
    CHECK(refused(text, 2));
  CHECK(to_minor_units("1.005", 2).error == "must have at most 2 decimal places");
}
