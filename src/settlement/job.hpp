#pragma once
// The Solana settlement job of every server instance (on when the adapter is configured). Woken
// by the NOTIFY of a withdrawal's commit and by a short poll, it claims due settlements in
// batches under leases in PostgreSQL (transaction::Settlements), so one instance moves each at a
// time, and for each:
//   - nothing that may land is stored: build the payout, sign it with the custody key, store the
//     signed bytes and the signature (committed) and only then send them;
//   - a stored transaction: ask the chain. Landed at the commitment asked for: the withdrawal is
//     COMPLETED with the signature as its external reference. Failed, finalized: the withdrawal
//     FAILS and its money is released. Unknown and still valid: the same bytes are sent again.
//     Unknown once the chain finalized past its last valid block height: EXPIRED, and only then
//     is a new transaction built.
// An RPC failure never fails a withdrawal: it is retried with backoff, and after many in a row
// the settlement is FAILED retryable, its stored transaction kept, until POST .../settle.
// A suspended organisation's settlements wait.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/uuid.hpp"
#include "core/woken_job.hpp"
#include "solana/key.hpp"
#include "solana/rpc.hpp"

namespace payrollx {
namespace transaction {
class Settlements;
}
namespace solana {
class Keypair;
}
}  // namespace payrollx

namespace payrollx::settlement {

struct JobOptions {
  solana::PublicKey usdc_mint;
  solana::Commitment commitment = solana::Commitment::finalized;
  std::chrono::milliseconds retry_backoff{1000};
  int max_rpc_failures = 12;
  std::chrono::milliseconds poll{400};  // about a slot: how often a sent transaction is looked at
  std::string listen_conninfo;          // empty: no LISTEN, the poll alone
};

// The organisations suspended now, read from the database before every claim (an instance that
// just started must not pay a suspended organisation before it has heard of the suspension).
using SuspendedOrganizations = std::function<boost::asio::awaitable<std::vector<Uuid>>()>;

class SettlementJob {
 public:
  // The keypair and the client outlive the job.
  SettlementJob(boost::asio::any_io_executor executor, transaction::Settlements& settlements,
                SuspendedOrganizations suspended, solana::RpcClient& rpc,
                const solana::Keypair& custody, JobOptions options);
  ~SettlementJob();
  SettlementJob(const SettlementJob&) = delete;
  SettlementJob& operator=(const SettlementJob&) = delete;

  void start();
  // Claims no more; the batch in hand is finished (its leases released) unless shut down first.
  void stop();
  // After stop(): once the batch in hand is done, or after `timeout` (WokenJob::drained).
  boost::asio::awaitable<void> drained(std::chrono::milliseconds timeout);

  struct Impl;  // defined in job.cpp

 private:
  std::shared_ptr<Impl> impl_;  // kept by a run in flight
  WokenJob job_;
};

}  // namespace payrollx::settlement
