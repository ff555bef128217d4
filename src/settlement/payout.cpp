#include "settlement/payout.hpp"

#include "solana/address.hpp"

namespace payrollx::settlement {

std::optional<Asset> asset_of(std::string_view currency) {
  if (currency == "SOL") return Asset::sol;
  if (currency == "USDC") return Asset::usdc;
  return std::nullopt;
}

std::vector<solana::Instruction> payout_instructions(const Payout& payout) {
  std::vector<solana::Instruction> instructions;
  if (payout.asset == Asset::sol) {
    instructions.push_back(
        solana::system_transfer(payout.custody, payout.destination, payout.amount));
    instructions.push_back(solana::memo(payout.memo));
    return instructions;
  }
  const auto source = solana::associated_token_address(payout.custody, payout.usdc_mint);
  const auto target = solana::associated_token_address(payout.destination, payout.usdc_mint);
  if (payout.create_destination_account)
    instructions.push_back(solana::create_associated_token_account_idempotent(
        payout.custody, target, payout.destination, payout.usdc_mint));
  instructions.push_back(solana::token_transfer_checked(
      source, payout.usdc_mint, target, payout.custody, payout.amount, k_usdc_decimals));
  instructions.push_back(solana::memo(payout.memo));
  return instructions;
}

}  // namespace payrollx::settlement
