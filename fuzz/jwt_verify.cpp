// Access tokens (core/auth/jwt). The first byte picks what the rest is:
//  '0' a token as a client sends it: it verifies only when its signature is the HMAC of its head
//      under the server's secret (checked here with libsodium directly), and then verifies again
//      to the same principal (the per-thread cache);
//  '1' a token head (header.claims) that the harness signs: the claims are parsed as the server
//      parses a genuine token's, and must be refused or make a principal, never crash;
//  '2' a principal to issue a token for, then a change to its bytes: the token verifies to the
//      principal, not after it expires nor under another secret, and a token that differs by a
//      byte never verifies.
#include <fuzzer/FuzzedDataProvider.h>
#include <sodium.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check.hpp"
#include "core/auth/jwt.hpp"
#include "core/base64url.hpp"

namespace {

using namespace payrollx;

// The corpus's valid tokens are signed with it (fuzz/corpus/jwt_verify).
constexpr std::string_view k_secret = "payrollx-fuzz-secret-0123456789abcdef";
constexpr std::chrono::seconds k_ttl{900};
// 2026-01-01T00:00:00Z: the corpus's tokens expire in 2100.
const Timestamp k_now{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};

const TokenSigner& signer() {
  static const TokenSigner tokens{std::string(k_secret), k_ttl};
  return tokens;
}

std::string signature_of(std::string_view head) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(k_secret.data()),
                              k_secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(head.data()),
                                head.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return base64url::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

bool same(const Principal& a, const Principal& b) {
  return a.user_id == b.user_id && a.organization_id == b.organization_id && a.role == b.role &&
         a.token_id == b.token_id && a.session_id == b.session_id;
}

// Verifies twice: the second answer comes from the cache and must be the first.
std::optional<Principal> verify(std::string_view token) {
  auto principal = signer().verify(token, k_now);
  auto again = signer().verify(token, k_now);
  FUZZ_CHECK(principal.has_value() == again.has_value());
  if (principal) FUZZ_CHECK(same(*principal, *again));
  return principal;
}

void client_token(std::string_view token) {
  if (!verify(token)) return;
  auto last_dot = token.rfind('.');
  FUZZ_CHECK(last_dot != std::string_view::npos);
  FUZZ_CHECK(token.substr(last_dot + 1) == signature_of(token.substr(0, last_dot)));
}

void signed_head(std::string_view head) {
  std::string token(head);
  token += '.';
  token += signature_of(head);
  if (auto principal = verify(token)) FUZZ_CHECK(!principal->token_id.empty());
}

Uuid uuid_from(FuzzedDataProvider& input) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    auto byte = input.ConsumeIntegral<std::uint8_t>();
    text += k_hex[byte >> 4];
    text += k_hex[byte & 0x0F];
  }
  return *Uuid::parse(text);
}

void issued_token(FuzzedDataProvider& input) {
  Principal principal;
  principal.user_id = uuid_from(input);
  principal.role = static_cast<Role>(input.ConsumeIntegralInRange<int>(0, 4));
  if (input.ConsumeBool()) principal.organization_id = uuid_from(input);
  if (input.ConsumeBool()) principal.session_id = uuid_from(input);
  auto token = signer().issue(principal, k_now);

  auto verified = verify(token);
  FUZZ_CHECK(verified.has_value());
  principal.token_id = verified->token_id;  // the jti the signer drew
  FUZZ_CHECK(same(*verified, principal));
  FUZZ_CHECK(!signer().verify(token, k_now + k_ttl));
  FUZZ_CHECK(!TokenSigner(std::string(k_secret) + "!", k_ttl).verify(token, k_now));

  auto changed = token;
  auto at = input.ConsumeIntegralInRange<std::size_t>(0, token.size() - 1);
  switch (input.ConsumeIntegralInRange<int>(0, 2)) {
    case 0:
      changed[at] = input.ConsumeIntegral<char>();
      break;
    case 1:
      changed.insert(at, 1, input.ConsumeIntegral<char>());
      break;
    default:
      changed.erase(at, input.ConsumeIntegralInRange<std::size_t>(1, token.size() - at));
  }
  if (changed != token && signer().verify(changed, k_now)) {
    std::fprintf(stderr, "issued:  %s\nchanged: %s\n", token.c_str(), changed.c_str());
    FUZZ_CHECK(!signer().verify(changed, k_now));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (sodium_init() < 0) std::abort();  // as main does
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0]) {
    case '0':
      client_token(rest);
      break;
    case '1':
      signed_head(rest);
      break;
    case '2': {
      FuzzedDataProvider input(data + 1, size - 1);
      issued_token(input);
      break;
    }
    default:
      break;
  }
  return 0;
}
