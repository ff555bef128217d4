#pragma once
// Opaque bearer secrets (refresh and invitation tokens): 256 random bits in base64url. The
// database keeps only the SHA-256 digest of a token's text, so a leaked table grants nothing.
#include <string>
#include <string_view>

namespace payrollx::auth {

std::string random_token();
// The hex SHA-256 of the token's text (64 characters; the SQL binds it as decode($n, 'hex')).
std::string token_digest(std::string_view token);

}  // namespace payrollx::auth
