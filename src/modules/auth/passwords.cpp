#include "modules/auth/passwords.hpp"

#include <sodium.h>

#include <stdexcept>

namespace payrollx::auth {

namespace {

void ensure_sodium() {
  // sodium_init selects the fastest Argon2 implementation for this CPU; it is idempotent.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

bool is_argon2id(std::string_view hash) {
  return hash.starts_with("$argon2id$");
}

// A hash of a random password, computed once, verified against when there is nothing to verify.
const std::string& dummy_hash() {
  static const std::string hash = [] {
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    return hash_password(std::string_view(reinterpret_cast<const char*>(secret), sizeof secret));
  }();
  return hash;
}

bool argon2id_matches(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  if (!is_argon2id(hash)) {
    verify_nothing(password);
    return false;
  }
  return argon2id_matches(std::string(hash), password);
}

void verify_nothing(std::string_view password) {
  ensure_sodium();
  (void)argon2id_matches(dummy_hash(), password);
}

}  // namespace payrollx::auth
