#include "modules/auth/tokens.hpp"

#include <sodium.h>

#include <array>

#include "core/base64url.hpp"

namespace payrollx::auth {

std::string random_token() {
  std::array<char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  return base64url::encode(std::string_view(bytes.data(), bytes.size()));
}

std::string token_digest(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

}  // namespace payrollx::auth
