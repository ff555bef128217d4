#pragma once
// Password hashes: Argon2id (libsodium crypto_pwhash_str, interactive limits: ~64 MiB and tens of
// milliseconds each) for every password set here, and the legacy services' bcrypt ("$2a$",
// "$2b$", "$2y$", checked by libxcrypt's crypt_r) for imported accounts until their first
// login rehashes them. Every function here blocks that long: call them through
// core/offload.hpp.
#include <cstddef>
#include <string>
#include <string_view>

namespace payrollx::auth {

inline constexpr std::size_t k_password_min_length = 10;
inline constexpr std::size_t k_password_max_length = 128;

std::string hash_password(std::string_view password);

// A sign-in's verification. While imported bcrypt hashes remain (`legacy_hashes_remain`), each
// one also spends the time of a check of the other kind, so that an unknown email, an
// Argon2id account and a legacy account all cost one Argon2id and one bcrypt check: the
// answer's timing tells neither whether an account exists nor whether it was imported.
struct Verification {
  bool legacy_hashes_remain = false;
};

// True when `password` matches `hash` (Argon2id or bcrypt); an unknown kind of hash never
// matches, after spending the time of a real check.
bool verify_password(std::string_view hash, std::string_view password,
                     Verification verification = {});

// Spends the time of one verification and fails: for unknown emails and accounts without a
// password, so that the answer's timing does not tell whether an account exists.
void verify_nothing(std::string_view password, Verification verification = {});

// True for a hash that is not Argon2id: replaced at the next successful sign-in.
bool needs_rehash(std::string_view hash);

}  // namespace payrollx::auth
