#pragma once
// Email addresses are stored and compared lower-cased (the unique index is on lower(email)).
#include <cstddef>
#include <string>
#include <string_view>

namespace payrollx {

inline constexpr std::size_t k_email_max_length = 254;

// ASCII lower-case.
std::string normalize_email(std::string_view email);

// A sane format check, not RFC 5322 in full: ASCII "local@domain", local part 1..64 characters of
// the unquoted atom set without leading, trailing or doubled dots; a domain of at least two
// labels (letters, digits, inner hyphens; 1..63 each) whose last label is not all digits.
bool is_valid_email(std::string_view email);

}  // namespace payrollx
