#pragma once
// Solana public keys and signatures: 32 and 64 raw bytes, written in base58.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payrollx::solana {

struct PublicKey {
  std::array<std::uint8_t, 32> bytes{};

  std::string to_base58() const;
  // nullopt unless `text` is base58 of exactly 32 bytes.
  static std::optional<PublicKey> from_base58(std::string_view text);

  auto operator<=>(const PublicKey&) const = default;
};

using Signature = std::array<std::uint8_t, 64>;
std::string to_base58(const Signature& signature);

// A recent blockhash: the 32 bytes a transaction names to say when it was built.
using Blockhash = std::array<std::uint8_t, 32>;

// The programs a settlement calls:
//   system_program                     11111111111111111111111111111111
//   token_program                      TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
//   associated_token_account_program   ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL
//   memo_program                       MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr (SPL Memo v2)
const PublicKey& system_program();
const PublicKey& token_program();
const PublicKey& associated_token_account_program();
const PublicKey& memo_program();

}  // namespace payrollx::solana
