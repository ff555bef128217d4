#include "settlement/adapter.hpp"

#include "core/log.hpp"

namespace payrollx::settlement {
namespace {

JobOptions job_options(const Config& config) {
  auto mint = solana::PublicKey::from_base58(config.solana_usdc_mint);
  if (!mint) throw ConfigError("solana.usdcMint (PAYROLLX_SOLANA_USDC_MINT) is not an address");
  return {.usdc_mint = *mint,
          .commitment = config.solana_commitment == "confirmed" ? solana::Commitment::confirmed
                                                                : solana::Commitment::finalized,
          .retry_backoff = config.solana_retry_backoff,
          .max_rpc_failures = config.solana_max_rpc_failures,
          .listen_conninfo = listen_url(config)};
}

}  // namespace

SolanaAdapter::SolanaAdapter(boost::asio::any_io_executor executor, const Config& config,
                             transaction::Service& transactions, SuspendedOrganizations suspended)
    : custody_(solana::Keypair::load_file(config.solana_keypair_file)),
      rpc_({.url = config.solana_rpc_url}),
      settlements_(transactions),
      job_(executor, settlements_, std::move(suspended), rpc_, custody_, job_options(config)) {
  // The public key only: which account pays is worth knowing, and it is public.
  log::info("settlement.solana_enabled", {{"custody", custody_.public_key().to_base58()},
                                          {"commitment", config.solana_commitment}});
}

}  // namespace payrollx::settlement
