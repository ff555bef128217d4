#pragma once
// The Solana settlement adapter as the composition root holds it: the custody keypair (read once,
// at start), the RPC client, and the job, built only when the adapter is configured.
#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "core/config.hpp"
#include "modules/transaction/transaction.hpp"
#include "settlement/job.hpp"
#include "solana/keypair.hpp"
#include "solana/rpc.hpp"

namespace payrollx::settlement {

class SolanaAdapter {
 public:
  // Throws solana::KeypairError for a keypair file it refuses (the message never holds the key).
  SolanaAdapter(boost::asio::any_io_executor executor, const Config& config,
                transaction::Service& transactions, SuspendedOrganizations suspended);

  void start() { job_.start(); }
  void stop() { job_.stop(); }
  boost::asio::awaitable<void> drained(std::chrono::milliseconds timeout) {
    return job_.drained(timeout);
  }

  // The ledger currencies it pays.
  static std::vector<std::string> currencies() { return {"SOL", "USDC"}; }

 private:
  solana::Keypair custody_;
  solana::RpcClient rpc_;
  transaction::Settlements settlements_;
  SettlementJob job_;
};

}  // namespace payrollx::settlement
