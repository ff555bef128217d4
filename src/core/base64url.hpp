#pragma once
// base64url without padding (RFC 4648 §5): JWT segments, list cursors and opaque tokens.
#include <optional>
#include <string>
#include <string_view>

namespace payrollx::base64url {

std::string encode(std::string_view bytes);
// The bytes, or nullopt when `text` is not canonical unpadded base64url.
std::optional<std::string> decode(std::string_view text);

}  // namespace payrollx::base64url
