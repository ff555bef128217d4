#pragma once
// Strict UTF-8, as PostgreSQL takes text: what comes in as bytes (a CSV file, a request target once
// percent-decoded) is checked with it before it goes anywhere. JSON strings need no check: the
// parser refuses what is not UTF-8.
#include <string_view>

namespace payrollx {

// No overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

// The longest start of `text` of at most `max_bytes` that does not cut a character in two (a
// column's length limit applied to a message from elsewhere, which may be any UTF-8).
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace payrollx
