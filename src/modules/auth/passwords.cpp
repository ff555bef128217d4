#include "modules/auth/passwords.hpp"

#include <crypt.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace payrollx::auth {

namespace {

// The cost the legacy auth service used (legacy/README.md): a dummy check costs what a real one
// of an imported account does.
constexpr unsigned long k_legacy_bcrypt_cost = 12;

void ensure_sodium() {
  // sodium_init selects the fastest Argon2 implementation for this CPU; it is idempotent.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

bool is_argon2id(std::string_view hash) {
  return hash.starts_with("$argon2id$");
}

bool is_bcrypt(std::string_view hash) {
  return hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$");
}

std::string random_secret() {
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  return {reinterpret_cast<const char*>(secret), sizeof secret};
}

bool argon2id_matches(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// crypt_r's output compared in constant time with the stored hash. crypt_data is 32 KiB: on the
// heap, one per call (the calls run on the offload threads concurrently).
bool bcrypt_matches(const std::string& hash, std::string_view password) {
  if (password.find('\0') != std::string_view::npos) return false;  // crypt takes a C string
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(std::string(password).c_str(), hash.c_str(), data.get());
  // libxcrypt fails with a string starting with '*', never a null, but be strict.
  if (out == nullptr || out[0] == '*') return false;
  const std::size_t length = std::strlen(out);
  return length == hash.size() && sodium_memcmp(out, hash.data(), length) == 0;
}

// Hashes of a random password, computed once, verified against when there is nothing to verify.
const std::string& dummy_argon2id() {
  static const std::string hash = hash_password(random_secret());
  return hash;
}

const std::string& dummy_bcrypt() {
  static const std::string hash = [] {
    const auto entropy = random_secret();
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$2b$", k_legacy_bcrypt_cost, entropy.data(),
                         static_cast<int>(entropy.size()), salt, sizeof salt) == nullptr)
      throw std::runtime_error("crypt_gensalt_rn cannot make a bcrypt salt");
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_r(random_secret().c_str(), salt, data.get());
    if (out == nullptr || out[0] == '*') throw std::runtime_error("crypt_r cannot hash bcrypt");
    return std::string(out);
  }();
  return hash;
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

bool verify_password(std::string_view hash, std::string_view password, Verification verification) {
  ensure_sodium();
  if (is_argon2id(hash)) {
    if (verification.legacy_hashes_remain) (void)bcrypt_matches(dummy_bcrypt(), password);
    return argon2id_matches(std::string(hash), password);
  }
  if (is_bcrypt(hash)) {
    if (verification.legacy_hashes_remain) (void)argon2id_matches(dummy_argon2id(), password);
    return bcrypt_matches(std::string(hash), password);
  }
  verify_nothing(password, verification);
  return false;
}

void verify_nothing(std::string_view password, Verification verification) {
  ensure_sodium();
  if (verification.legacy_hashes_remain) (void)bcrypt_matches(dummy_bcrypt(), password);
  (void)argon2id_matches(dummy_argon2id(), password);
}

bool needs_rehash(std::string_view hash) {
  return !is_argon2id(hash);
}

}  // namespace payrollx::auth
