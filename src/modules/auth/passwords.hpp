#pragma once
// Argon2id password hashes (libsodium crypto_pwhash_str, interactive limits: ~64 MiB and tens of
// milliseconds each). Every function here blocks that long: call them through core/offload.hpp.
#include <cstddef>
#include <string>
#include <string_view>

namespace payrollx::auth {

inline constexpr std::size_t k_password_min_length = 10;
inline constexpr std::size_t k_password_max_length = 128;

std::string hash_password(std::string_view password);

// True when `password` matches `hash`. Hashes this server cannot check yet (legacy bcrypt
// "$2...") never match, after spending the time of a real check.
bool verify_password(std::string_view hash, std::string_view password);

// Spends the time of one verification and fails: for unknown emails and accounts without a
// password, so that the answer's timing does not tell whether an account exists.
void verify_nothing(std::string_view password);

}  // namespace payrollx::auth
