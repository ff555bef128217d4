#pragma once
// Decimal amounts in major units ("1234.56") to integer minor units, exactly: the text's digits
// are the number, no floating point is involved. Private to the employee module (the CSV import
// reads salaries this way; unit tests include it).
#include <cstdint>
#include <string>
#include <string_view>

namespace payrollx::employee {

struct MinorUnits {
  std::int64_t value = 0;
  std::string error;  // empty when `value` is the amount
  bool ok() const { return error.empty(); }
};

// `text` is digits with an optional '.' and fraction digits ("1234", "1234.5", "0.000001"):
// no sign, no exponent, no thousands separators, digits on both sides of the point. More fraction
// digits than `scale` is an error (the amount would have to be rounded), and so is a value that
// does not fit an int64 once scaled. `scale` is the currency's (core.currencies.scale, 0..18).
MinorUnits to_minor_units(std::string_view text, int scale);

}  // namespace payrollx::employee
