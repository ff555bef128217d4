#pragma once
// The field rules an employee record obeys, shared by the JSON routes and the CSV import so that
// both refuse the same values with the same words. Private to the employee module.
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/base58.hpp"
#include "core/json.hpp"

namespace payrollx::employee::rules {

inline constexpr json::StringRule k_name{1, 100};
inline constexpr json::StringRule k_email{3, 254};
inline constexpr json::StringRule k_employee_number{1, 64};
inline constexpr json::StringRule k_department{1, 100};
inline constexpr json::StringRule k_position{1, 100};
inline constexpr json::StringRule k_component_name{1, 100};
inline constexpr json::StringRule k_reason{1, 500};
inline constexpr json::StringRule k_document_type{1, 64};
inline constexpr json::StringRule k_file_name{1, 255};
inline constexpr json::StringRule k_wallet_address{k_solana_key_min_chars, k_solana_key_max_chars};
inline constexpr json::StringRule k_query_text{1, 200};  // the list's ?q=

inline constexpr std::array<std::string_view, 3> k_salary_periods{"ANNUAL", "MONTHLY", "HOURLY"};
inline constexpr std::array<std::string_view, 4> k_pay_frequencies{"WEEKLY", "BIWEEKLY",
                                                                   "SEMIMONTHLY", "MONTHLY"};
inline constexpr std::array<std::string_view, 2> k_component_kinds{"EARNING", "DEDUCTION"};
inline constexpr std::array<std::string_view, 2> k_component_calcs{"FIXED", "PERCENT"};

inline constexpr std::int64_t k_max_basis_points = 10000;
inline constexpr std::size_t k_max_components = 100;  // per employee

// ASCII lower case: emails are stored and compared lower-cased.
std::string lower_ascii(std::string_view text);

// "must be one of A, B, C"
std::string one_of(const auto& allowed) {
  std::string text = "must be one of ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i != 0) text += ", ";
    text += allowed[i];
  }
  return text;
}

}  // namespace payrollx::employee::rules
