#include "modules/employee/decimal.hpp"

#include <fmt/format.h>

namespace payrollx::employee {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) {
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

// value * 10 + digit, false on int64 overflow.
bool push_digit(std::int64_t& value, int digit) {
  return !__builtin_mul_overflow(value, 10, &value) &&
         !__builtin_add_overflow(value, digit, &value);
}

}  // namespace

MinorUnits to_minor_units(std::string_view text, int scale) {
  MinorUnits result;
  if (text.empty()) {
    result.error = "must not be empty";
    return result;
  }
  auto point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction =
      point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  bool well_formed = !whole.empty() && all_digits(whole) && all_digits(fraction) &&
                     (point == std::string_view::npos || !fraction.empty());
  if (!well_formed) {
    result.error =
        "must be a decimal number in major units, digits with an optional '.' (e.g. 52000.50)";
    return result;
  }
  if (fraction.size() > static_cast<std::size_t>(scale)) {
    result.error = scale == 0 ? "must be a whole number (the currency has no minor unit)"
                              : fmt::format("must have at most {} decimal places", scale);
    return result;
  }
  std::int64_t value = 0;
  bool fits = true;
  for (char c : whole) fits = fits && push_digit(value, c - '0');
  for (int i = 0; i < scale; ++i) {
    auto index = static_cast<std::size_t>(i);
    fits = fits && push_digit(value, index < fraction.size() ? fraction[index] - '0' : 0);
  }
  if (!fits) {
    result.error = "is too large";
    return result;
  }
  result.value = value;
  return result;
}

}  // namespace payrollx::employee
