#pragma once
// What a withdrawal pays on chain: the instructions of its transaction, from the custody account.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "solana/key.hpp"
#include "solana/message.hpp"

namespace payrollx::settlement {

// The assets the Solana adapter pays, and the currency codes of the ledger that name them.
enum class Asset { sol, usdc };
std::optional<Asset> asset_of(std::string_view currency);

// USDC's SPL mint has 6 decimals, as the ledger's USDC has: minor units are base units.
constexpr std::uint8_t k_usdc_decimals = 6;

struct Payout {
  solana::PublicKey custody;      // pays the amount and the fee, and signs
  solana::PublicKey destination;  // the withdrawal's address (for USDC: the owner of the account)
  Asset asset = Asset::sol;
  std::uint64_t amount = 0;  // lamports, or USDC base units
  solana::PublicKey usdc_mint;
  // USDC: the destination's associated token account does not exist yet; it is created first
  // (idempotently: a no-op if it appeared meanwhile), paid by the custody account.
  bool create_destination_account = false;
  // Recorded on chain with the payment (SPL Memo): the withdrawal it pays, so that two payouts of
  // the same amount to the same address are different transactions, and either can be traced.
  std::string memo;
};

// SOL: one System Program transfer. USDC: TransferChecked between the custody's and the
// destination's associated token accounts, after CreateIdempotent when asked. Then the memo.
std::vector<solana::Instruction> payout_instructions(const Payout& payout);

}  // namespace payrollx::settlement
