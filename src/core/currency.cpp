#include "core/currency.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace payrollx {

bool is_currency_code(std::string_view code) {
  return code.size() >= k_currency_code.min && code.size() <= k_currency_code.max &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string not_a_currency_code() {
  return fmt::format("must be a currency code ({} to {} upper-case letters)", k_currency_code.min,
                     k_currency_code.max);
}

}  // namespace payrollx
