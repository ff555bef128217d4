#pragma once
// What a currency code looks like wherever a request names one ("USD", "EUR", "USDC"). Whether
// the currency exists is the database's answer (core.currencies); this is only the shape, checked
// before anything is looked up, and what every schema documents.
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace payrollx {

inline constexpr json::StringRule k_currency_code{3, 5};

// k_currency_code's length, in upper-case ASCII letters only.
bool is_currency_code(std::string_view code);
// The field error for a code is_currency_code refuses.
std::string not_a_currency_code();

}  // namespace payrollx
