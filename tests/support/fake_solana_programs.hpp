#pragma once
// The fake cluster's accounts and the four programs it runs (System Transfer, SPL Token
// TransferChecked, Associated Token Account CreateIdempotent, SPL Memo v2), executed as the runtime
// does: every instruction of a transaction, or none. Internal to fake_solana.
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "fake_solana.hpp"
#include "solana/wire.hpp"

namespace payrollx::test::fake_solana {

// The rent-exempt minimums the runtime takes from the payer of a new token account (165 bytes)
// and a mint (82 bytes).
constexpr std::uint64_t k_token_account_rent = 2'039'280;
constexpr std::uint64_t k_mint_rent = 1'461'600;

struct TokenAccount {
  solana::PublicKey owner;
  solana::PublicKey mint;
  std::uint64_t amount = 0;
};

struct Account {
  std::uint64_t lamports = 0;
  std::optional<TokenAccount> token;          // an SPL token account
  std::optional<std::uint8_t> mint_decimals;  // an SPL mint

  // The program that owns it: System for a plain account, SPL Token for the others.
  const solana::PublicKey& owner_program() const;
};

using Ledger = std::map<solana::PublicKey, Account>;

struct Execution {
  std::vector<ChainInstruction> instructions;  // every instruction, as read
  std::optional<boost::json::value> err;       // the transaction's err; nullopt: all applied
};

// Runs `tx`'s instructions on `ledger`, all or none. A transfer whose destination or recipient is
// in `failing` fails.
Execution execute(const solana::DecodedTransaction& tx, const std::set<solana::PublicKey>& failing,
                  Ledger& ledger);

}  // namespace payrollx::test::fake_solana
