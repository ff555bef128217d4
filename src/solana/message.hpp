#pragma once
// Legacy Solana transactions, built and signed: instructions, the message that orders their
// accounts, and the wire bytes.
#include <cstdint>
#include <string_view>
#include <vector>

#include "solana/key.hpp"

namespace payrollx::solana {

class Keypair;

struct AccountMeta {
  PublicKey key;
  bool signer = false;
  bool writable = false;
};

struct Instruction {
  PublicKey program;
  std::vector<AccountMeta> accounts;
  std::vector<std::uint8_t> data;
};

// System Program Transfer: `lamports` from `from` (signs) to `to`.
Instruction system_transfer(const PublicKey& from, const PublicKey& to, std::uint64_t lamports);
// SPL Token TransferChecked: `amount` base units of `mint` (with `decimals`) from the token
// account `source`, owned by `owner` (signs), to the token account `destination`.
Instruction token_transfer_checked(const PublicKey& source, const PublicKey& mint,
                                   const PublicKey& destination, const PublicKey& owner,
                                   std::uint64_t amount, std::uint8_t decimals);
// Associated Token Account program CreateIdempotent: creates `owner`'s account for `mint` at
// `account` (its associated token address), paid by `payer` (signs); a no-op if it exists.
Instruction create_associated_token_account_idempotent(const PublicKey& payer,
                                                       const PublicKey& account,
                                                       const PublicKey& owner,
                                                       const PublicKey& mint);

// SPL Memo (v2): `text` (UTF-8) recorded on chain with the transaction; no account signs it.
Instruction memo(std::string_view text);

// The legacy message: the fee payer first, then every other account in the order it first
// appears (each instruction's program, then its accounts), grouped as writable signers, read-only
// signers, writable non-signers, read-only non-signers (an account is a signer or writable if
// any use of it is): the order @solana/web3.js's TransactionMessage.compileToLegacyMessage gives,
// so that our bytes equal its bytes.
std::vector<std::uint8_t> compile_legacy_message(const PublicKey& payer,
                                                 const Blockhash& recent_blockhash,
                                                 const std::vector<Instruction>& instructions);

struct SignedTransaction {
  std::vector<std::uint8_t> bytes;  // the wire form: compact-u16 count, signatures, message
  Signature signature;              // the first signature: the transaction's id
};

// Signs `message` with `payer`, its only signer (std::invalid_argument if the message asks for
// other signatures or its first account is not the payer).
SignedTransaction sign_transaction(const std::vector<std::uint8_t>& message, const Keypair& payer);

}  // namespace payrollx::solana
