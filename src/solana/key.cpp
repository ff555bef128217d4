#include "solana/key.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/base58.hpp"

namespace payrollx::solana {
namespace {

PublicKey program_id(std::string_view base58) {
  auto key = PublicKey::from_base58(base58);
  if (!key) throw std::logic_error("not a program id");  // a typo in the constants below
  return *key;
}

}  // namespace

std::string PublicKey::to_base58() const {
  return base58_encode(bytes);
}

std::optional<PublicKey> PublicKey::from_base58(std::string_view text) {
  if (!is_solana_public_key(text)) return std::nullopt;  // also bounds the length decoded
  auto decoded = base58_decode(text);
  PublicKey key;
  std::copy(decoded->begin(), decoded->end(), key.bytes.begin());
  return key;
}

std::string to_base58(const Signature& signature) {
  return base58_encode(signature);
}

const PublicKey& system_program() {
  static const PublicKey key = program_id("11111111111111111111111111111111");
  return key;
}

const PublicKey& token_program() {
  static const PublicKey key = program_id("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  return key;
}

const PublicKey& associated_token_account_program() {
  static const PublicKey key = program_id("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
  return key;
}

const PublicKey& memo_program() {
  static const PublicKey key = program_id("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
  return key;
}

}  // namespace payrollx::solana
