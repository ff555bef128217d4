#include "modules/notification/webhook_signature.hpp"

#include <sodium.h>

#include <array>

#include "core/base64url.hpp"

namespace payrollx::notification {
namespace {

void hmac_update(crypto_auth_hmacsha256_state& state, std::string_view text) {
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                                text.size());
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t unix_time,
                              std::string_view body) {
  const std::string time = std::to_string(unix_time);
  // The streaming API: the one-shot crypto_auth_hmacsha256 takes only 32-byte keys, and the
  // key here is the whole secret string, as receivers compute it.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  hmac_update(state, time);
  hmac_update(state, ".");
  hmac_update(state, body);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);

  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  return "t=" + time + ",v1=" + std::string(hex.data(), hex.size() - 1);
}

std::string new_webhook_secret() {
  std::array<char, 32> bytes;
  randombytes_buf(bytes.data(), bytes.size());
  std::string secret = "whsec_" + base64url::encode(std::string_view(bytes.data(), bytes.size()));
  sodium_memzero(bytes.data(), bytes.size());
  return secret;
}

}  // namespace payrollx::notification
