#pragma once
// The custody keypair: the 64 bytes solana-keygen writes as a JSON array (the 32-byte Ed25519
// seed, then the public key). The secret lives in memory that libsodium locks against swapping
// and wipes when the keypair is destroyed; it never appears in a message, a log or an error.
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string_view>

#include "solana/key.hpp"

namespace payrollx::solana {

// Why a keypair was refused. The message names the file and the rule, never a byte of the key.
class KeypairError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Keypair {
 public:
  // From solana-keygen's JSON text: exactly 64 integers 0..255, whose last 32 are the public key
  // of the first 32 (a file whose halves disagree is refused: it would sign for another account).
  static Keypair from_json(std::string_view text);
  // Reads `path`, refusing a file that group or others may read or write (the custody key of
  // every organisation's on-chain money), then from_json. The read buffer is wiped too.
  static Keypair load_file(const std::filesystem::path& path);

  Keypair(Keypair&& other) noexcept;
  Keypair& operator=(Keypair&& other) noexcept;
  Keypair(const Keypair&) = delete;
  Keypair& operator=(const Keypair&) = delete;
  ~Keypair();

  const PublicKey& public_key() const { return public_key_; }
  // The Ed25519 signature of `message`.
  Signature sign(std::span<const std::uint8_t> message) const;

 private:
  Keypair() = default;
  std::uint8_t* secret_ = nullptr;  // 64 bytes from sodium_malloc: libsodium's secret key
  PublicKey public_key_;
};

}  // namespace payrollx::solana
