// What a withdrawal pays on chain (settlement/payout.hpp): the instructions, in order, with the
// memo that names the withdrawal.
#include <catch2/catch.hpp>

#include "settlement/payout.hpp"
#include "solana/address.hpp"

namespace {

using payrollx::settlement::Asset;
using payrollx::settlement::Payout;
using payrollx::settlement::payout_instructions;
namespace solana = payrollx::solana;

solana::PublicKey key(const char* base58) {
  return *solana::PublicKey::from_base58(base58);
}

Payout payout(Asset asset, bool create) {
  return {.custody = key("4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T"),
          .destination = key("8o1yAKCyGem1StfN3cUhhumVV6TyYo4p7rwaewqPXSmZ"),
          .asset = asset,
          .amount = 1'234'567,
          .usdc_mint = key("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"),
          .create_destination_account = create,
          .memo = "payrollx withdrawal 42"};
}

}  // namespace

TEST_CASE("settlement payout: SOL is one transfer of lamports, then the memo") {
  const auto sol = payout(Asset::sol, false);
  auto instructions = payout_instructions(sol);
  REQUIRE(instructions.size() == 2);
  CHECK(instructions[0].program == solana::system_program());
  CHECK(instructions[0].accounts[0].key == sol.custody);
  CHECK(instructions[0].accounts[1].key == sol.destination);
  CHECK(instructions[1].program == solana::memo_program());
  CHECK(std::string(instructions[1].data.begin(), instructions[1].data.end()) == sol.memo);
}

TEST_CASE("settlement payout: USDC goes between associated token accounts, created when asked") {
  const auto usdc = payout(Asset::usdc, true);
  auto instructions = payout_instructions(usdc);
  REQUIRE(instructions.size() == 3);
  CHECK(instructions[0].program == solana::associated_token_account_program());
  CHECK(instructions[1].program == solana::token_program());
  CHECK(instructions[1].accounts[0].key ==
        solana::associated_token_address(usdc.custody, usdc.usdc_mint));
  CHECK(instructions[1].accounts[2].key ==
        solana::associated_token_address(usdc.destination, usdc.usdc_mint));
  CHECK(instructions[2].program == solana::memo_program());
  CHECK(payout_instructions(payout(Asset::usdc, false)).size() == 2);
}

TEST_CASE("settlement payout: only SOL and USDC are paid on chain") {
  CHECK(payrollx::settlement::asset_of("SOL") == Asset::sol);
  CHECK(payrollx::settlement::asset_of("USDC") == Asset::usdc);
  CHECK_FALSE(payrollx::settlement::asset_of("USD").has_value());
}
