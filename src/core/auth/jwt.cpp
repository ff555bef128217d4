#include "core/auth/jwt.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>

#include "core/base64url.hpp"

namespace payrollx {
namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

// The only header this server issues, and the only algorithm it accepts.
constexpr std::string_view k_header = R"({"alg":"HS256","typ":"JWT"})";
// Room for a token's claims on the stack: parsing them allocates nothing.
constexpr std::size_t k_claims_buffer = 2048;
constexpr std::size_t k_verified_slots = 256;

// Tokens this thread verified. A client sends the same access token with every request of its
// lifetime, and its signature, header and claims need checking only once: later uses check the
// expiry alone. A slot is found by a keyed hash (SipHash, with a key drawn per process) of the
// token's last characters, its signature, so the time a lookup takes says nothing about the
// tokens cached; the whole token is then compared in constant time, and the signer that verified
// it must be the one asking.
struct VerifiedToken {
  std::uint64_t signer = 0;
  std::string token;
  Principal principal;
  std::int64_t expires = 0;  // Unix seconds
};

thread_local std::array<VerifiedToken, k_verified_slots> t_verified;
// The base64url of an HMAC-SHA256: what distinguishes two tokens best, and the cheapest to hash.
constexpr std::size_t k_signature_chars = 43;

// Constant time for a given length, a word at a time: sodium_memcmp reads a byte at a time, and
// this compares a whole token on every request. Lengths are not secret.
bool same_token(std::string_view cached, std::string_view token) {
  if (cached.size() != token.size()) return false;
  std::uint64_t difference = 0;
  std::size_t at = 0;
  for (; at + sizeof(std::uint64_t) <= token.size(); at += sizeof(std::uint64_t)) {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::memcpy(&a, cached.data() + at, sizeof a);
    std::memcpy(&b, token.data() + at, sizeof b);
    difference |= a ^ b;
  }
  for (; at < token.size(); ++at)
    difference |= static_cast<unsigned char>(cached[at]) ^ static_cast<unsigned char>(token[at]);
  return difference == 0;
}

VerifiedToken& verified_slot(std::string_view token) {
  static const auto k_hash_key = [] {
    std::array<unsigned char, crypto_shorthash_KEYBYTES> key;
    crypto_shorthash_keygen(key.data());
    return key;
  }();
  auto signature = token.substr(token.size() - std::min(token.size(), k_signature_chars));
  std::uint64_t hash = 0;
  crypto_shorthash(reinterpret_cast<unsigned char*>(&hash),
                   reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                   k_hash_key.data());
  return t_verified[hash % k_verified_slots];
}

std::uint64_t next_signer_id() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

std::int64_t unix_seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<boost::json::object> decode_json_object(std::string_view segment,
                                                      boost::json::storage_ptr storage = {}) {
  auto bytes = base64url::decode(segment);
  if (!bytes) return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(*bytes, ec, std::move(storage));
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

const boost::json::string* string_claim(const boost::json::object& claims, std::string_view key) {
  auto* value = claims.if_contains(key);
  return value ? value->if_string() : nullptr;
}

std::optional<Uuid> uuid_claim(const boost::json::object& claims, std::string_view key) {
  auto* text = string_claim(claims, key);
  return text ? Uuid::parse(*text) : std::nullopt;
}

bool header_ok(std::string_view segment) {
  static const std::string k_issued_header = base64url::encode(k_header);
  if (segment == k_issued_header) return true;  // ours, byte for byte
  auto header = decode_json_object(segment);
  if (!header) return false;
  auto* alg = string_claim(*header, "alg");
  auto* typ = header->if_contains("typ");
  return alg && *alg == "HS256" && (!typ || (typ->is_string() && typ->get_string() == "JWT"));
}

std::optional<Principal> principal_of(const boost::json::object& claims, Timestamp now) {
  auto* exp = claims.if_contains("exp");
  if (!exp || !exp->is_int64() || exp->get_int64() <= unix_seconds(now)) return std::nullopt;
  auto* iat = claims.if_contains("iat");
  if (!iat || !iat->is_int64()) return std::nullopt;

  Principal principal;
  auto sub = uuid_claim(claims, "sub");
  auto* role_text = string_claim(claims, "role");
  auto role = role_text ? parse_role(*role_text) : std::nullopt;
  auto* jti = string_claim(claims, "jti");
  if (!sub || !role || !jti) return std::nullopt;
  principal.user_id = *sub;
  principal.role = *role;
  principal.token_id = std::string(*jti);

  // Optional claims: absent is fine, present but malformed is not.
  for (auto [key, target] :
       {std::pair{"org", &principal.organization_id}, std::pair{"sid", &principal.session_id}}) {
    if (!claims.contains(key)) continue;
    *target = uuid_claim(claims, key);
    if (!*target) return std::nullopt;
  }
  return principal;
}

}  // namespace

struct TokenSigner::Key {
  // The secret may have any length, which the one-shot crypto_auth_hmacsha256 does not allow.
  explicit Key(std::string_view secret) : id(next_signer_id()) {
    crypto_auth_hmacsha256_init(&keyed, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
  }
  ~Key() { sodium_memzero(&keyed, sizeof keyed); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  Mac mac(std::string_view message) const {
    crypto_auth_hmacsha256_state state = keyed;
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    Mac result;
    crypto_auth_hmacsha256_final(&state, result.data());
    sodium_memzero(&state, sizeof state);
    return result;
  }

  std::uint64_t id;  // tells this signer's verified tokens from another's
  crypto_auth_hmacsha256_state keyed;
};

TokenSigner::TokenSigner(std::string secret, std::chrono::seconds ttl)
    : key_(std::make_shared<const Key>(secret)), ttl_(ttl) {
  sodium_memzero(secret.data(), secret.size());
}

std::string TokenSigner::issue(const Principal& principal, Timestamp now) const {
  auto iat = unix_seconds(now);
  boost::json::object claims;
  claims["sub"] = principal.user_id.str();
  if (principal.organization_id) claims["org"] = principal.organization_id->str();
  claims["role"] = to_string(principal.role);
  if (principal.session_id) claims["sid"] = principal.session_id->str();
  claims["jti"] = Uuid::random().str();
  claims["iat"] = iat;
  claims["exp"] = iat + ttl_.count();

  auto token = base64url::encode(k_header);
  token += '.';
  token += base64url::encode(boost::json::serialize(claims));
  auto mac = key_->mac(token);
  token += '.';
  token +=
      base64url::encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return token;
}

std::optional<Principal> TokenSigner::verify(std::string_view token, Timestamp now) const {
  auto& verified = verified_slot(token);
  if (verified.signer == key_->id && same_token(verified.token, token)) {
    if (verified.expires <= unix_seconds(now)) return std::nullopt;
    return verified.principal;
  }

  auto first_dot = token.find('.');
  auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot ||
      token.find('.', first_dot + 1) != last_dot)
    return std::nullopt;

  // The signature first: nothing of an unauthenticated token is parsed beyond the header.
  auto signature = base64url::decode(token.substr(last_dot + 1));
  if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES) return std::nullopt;
  auto expected = key_->mac(token.substr(0, last_dot));
  if (sodium_memcmp(expected.data(), signature->data(), expected.size()) != 0) return std::nullopt;

  if (!header_ok(token.substr(0, first_dot))) return std::nullopt;
  std::array<unsigned char, k_claims_buffer> buffer;
  boost::json::monotonic_resource storage(buffer.data(), buffer.size());
  auto claims = decode_json_object(token.substr(first_dot + 1, last_dot - first_dot - 1), &storage);
  if (!claims) return std::nullopt;
  auto principal = principal_of(*claims, now);
  if (principal)  // principal_of checked that exp is an integer
    verified = {key_->id, std::string(token), *principal, claims->at("exp").get_int64()};
  return principal;
}

}  // namespace payrollx
