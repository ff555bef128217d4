#pragma once
// HS256 access tokens (libsodium HMAC-SHA-256, constant-time verification).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/auth/principal.hpp"
#include "core/time.hpp"

namespace payrollx {

class TokenSigner {
 public:
  TokenSigner(std::string secret, std::chrono::seconds ttl);

  // A token with sub, org (when any), role, sid (when any), jti, iat and exp = now + ttl.
  std::string issue(const Principal& principal, Timestamp now) const;
  // The principal when the signature, algorithm and exp are good; nullopt otherwise.
  std::optional<Principal> verify(std::string_view token, Timestamp now) const;
  std::chrono::seconds ttl() const { return ttl_; }

 private:
  // HMAC-SHA-256 already keyed with the secret: each token hashes only its own bytes.
  struct Key;
  std::shared_ptr<const Key> key_;
  std::chrono::seconds ttl_;
};

}  // namespace payrollx
