#pragma once
// What the transaction routes accept: the readers check these, and the schemas document the same
// values. Private to the transaction module.
#include <string_view>

#include "core/base58.hpp"
#include "core/json.hpp"

namespace payrollx::transaction::rules {

inline constexpr std::string_view k_transfer_types[] = {"BONUS", "ADJUSTMENT", "TRANSFER"};
inline constexpr json::IntRule k_amount{.min = 1};
inline constexpr json::StringRule k_reference{1, 255};  // a deposit's and a settlement's
inline constexpr json::StringRule k_reason{1, 1000};    // a transfer's notes, a failure, a reversal
inline constexpr json::StringRule k_address{k_solana_key_min_chars, k_solana_key_max_chars};

}  // namespace payrollx::transaction::rules
