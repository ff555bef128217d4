#pragma once
// bytea over the text protocol: parameters and results travel as text, and bytea's text is its
// hex form.
#include <string>
#include <string_view>

namespace payrollx::db {

// "\x<hex>": bytea's input form, for a text parameter cast to bytea.
std::string to_bytea_text(std::string_view bytes);
// The bytes of bytea's hex output ("\x<hex>"); throws db::DecodeError on anything else.
std::string from_bytea_text(std::string_view text);

}  // namespace payrollx::db
