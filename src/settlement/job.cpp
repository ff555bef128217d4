#include "settlement/job.hpp"

#include <boost/json/serialize.hpp>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/backoff.hpp"
#include "core/db/error.hpp"
#include "core/invariant.hpp"
#include "core/log.hpp"
#include "modules/transaction/transaction.hpp"
#include "settlement/payout.hpp"
#include "settlement/verdict.hpp"
#include "solana/address.hpp"
#include "solana/keypair.hpp"

namespace payrollx::settlement {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using transaction::ClaimedSettlement;
using transaction::SettlementStatus;

// A batch is at most 8 × 2 calls of at most the RPC timeout (10 s) to build, and 3 calls plus 8
// re-sends to check: within the lease, so another instance takes over only from one that died.
// A lapse is safe at any point anyway: every write checks the claim, nothing is sent that is not
// stored, and the stored bytes are the same whoever sends them.
constexpr int k_batch = 8;
constexpr std::chrono::seconds k_lease{180};
constexpr std::chrono::milliseconds k_max_backoff{60000};
// After this many transactions expired without landing (the custody account cannot pay the fee,
// the cluster drops them), a person should look: FAILED, retryable.
constexpr int k_max_transactions = 8;

}  // namespace

struct SettlementJob::Impl {
  Impl(transaction::Settlements& settlements, SuspendedOrganizations suspended,
       solana::RpcClient& rpc, const solana::Keypair& custody, JobOptions options)
      : settlements(settlements),
        suspended(std::move(suspended)),
        rpc(rpc),
        custody(custody),
        options(std::move(options)) {}

  // Every due settlement, a batch at a time; once stopping, no batch after the one in hand.
  awaitable<void> settle_due() {
    while (!stopping) {
      const auto held = co_await suspended();
      auto batch = co_await settlements.claim(k_batch, k_lease, held);
      if (batch.empty()) break;
      co_await step(batch);
    }
  }

  awaitable<void> step(const std::vector<ClaimedSettlement>& batch) {
    std::vector<ClaimedSettlement> in_flight, to_build;
    for (const auto& settlement : batch)
      (settlement.signed_transaction ? in_flight : to_build).push_back(settlement);
    if (!in_flight.empty()) co_await check(in_flight);
    if (!to_build.empty()) co_await build(to_build);
  }

  // What became of the stored transactions: the finalized slot and height, then the statuses
  // (searching history), then the oldest slot the node holds — one call each for the batch, in
  // that order (verdict.hpp says why).
  awaitable<void> check(const std::vector<ClaimedSettlement>& batch) {
    std::vector<std::string> signatures;
    for (const auto& settlement : batch) signatures.push_back(*settlement.signature);
    ChainView chain;
    solana::SignatureStatuses answer;
    std::string failure;
    try {
      const auto finalized = co_await rpc.epoch_info(solana::Commitment::finalized);
      chain.finalized_slot = finalized.absolute_slot;
      chain.finalized_height = finalized.block_height;
      answer = co_await rpc.signature_statuses(signatures, true);
      chain.statuses_slot = answer.context_slot;
      chain.minimum_ledger_slot = co_await rpc.minimum_ledger_slot();
    } catch (const solana::RpcError& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      for (const auto& settlement : batch) co_await rpc_failed(settlement, failure);
      co_return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto act_on_it = [&]() { return act(batch[i], answer.statuses.at(i), chain); };
      co_await guarded(batch[i], act_on_it);
    }
  }

  awaitable<void> act(const ClaimedSettlement& settlement,
                      const std::optional<solana::SignatureStatus>& status,
                      const ChainView& chain) {
    const auto last_valid = static_cast<std::uint64_t>(*settlement.last_valid_block_height);
    const Sent sent{
        .last_valid_block_height = last_valid,
        .blockhash_slot = static_cast<std::uint64_t>(*settlement.blockhash_slot),
        .finalized_past_slot = finalized_past_slot(*settlement.signature, chain, last_valid)};
    const auto verdict = judge(status, chain, sent, options.commitment);
    if (verdict != Verdict::wait && verdict != Verdict::resend && verdict != Verdict::unprovable)
      first_finalized_past.erase(*settlement.signature);  // no longer in question
    switch (verdict) {
      case Verdict::completed: {
        const auto reached = status->confirmation == solana::Commitment::finalized
                                 ? SettlementStatus::finalized
                                 : SettlementStatus::confirmed;
        const bool done = co_await settlements.landed(settlement, reached);
        if (done) log_outcome("settlement.completed", settlement);
        co_return;
      }
      case Verdict::failed_on_chain: {
        const auto error = boost::json::serialize(*status->error);
        const bool done = co_await settlements.failed_on_chain(settlement, error);
        if (done) log_outcome("settlement.failed_on_chain", settlement, error);
        co_return;
      }
      case Verdict::wait:
        co_await settlements.later(settlement, options.poll);
        co_return;
      case Verdict::resend:
        co_await send(settlement, *settlement.signed_transaction);
        co_return;
      case Verdict::expired: {
        const bool done = co_await settlements.expire(settlement, k_max_transactions);
        if (done) log_outcome("settlement.expired", settlement);
        co_return;
      }
      case Verdict::unprovable:
        // Counted as an RPC failure: a node with more history may answer; if none does, the
        // settlement ends FAILED retryable for a person, its transaction kept.
        co_await rpc_failed(settlement,
                            "the RPC node no longer holds the slots where the transaction could "
                            "have landed: it cannot prove that it did not");
        co_return;
    }
  }

  // The first finalized slot a check saw past the transaction's last valid block height, noted
  // from this check on (verdict.hpp: a statuses node that lags by more than the finalization
  // depth reaches that slot in time, never the latest one).
  std::optional<std::uint64_t> finalized_past_slot(const std::string& signature,
                                                   const ChainView& chain,
                                                   std::uint64_t last_valid) {
    if (chain.finalized_height > last_valid)
      first_finalized_past.try_emplace(signature, chain.finalized_slot);
    const auto found = first_finalized_past.find(signature);
    if (found == first_finalized_past.end()) return std::nullopt;
    return found->second;
  }

  // New transactions for the batch, on one recent blockhash.
  awaitable<void> build(const std::vector<ClaimedSettlement>& batch) {
    solana::LatestBlockhash recent;
    std::string failure;
    try {
      recent = co_await rpc.latest_blockhash(solana::Commitment::finalized);
    } catch (const solana::RpcError& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      for (const auto& settlement : batch) co_await rpc_failed(settlement, failure);
      co_return;
    }
    for (const auto& settlement : batch) {
      auto build_it = [&]() { return build_one(settlement, recent); };
      co_await guarded(settlement, build_it);
    }
  }

  awaitable<void> build_one(const ClaimedSettlement& settlement,
                            const solana::LatestBlockhash& recent) {
    auto payout = payout_of(settlement);
    std::string failure;
    try {
      if (payout.asset == Asset::usdc) {
        const auto account = solana::associated_token_address(payout.destination, payout.usdc_mint);
        auto existing = co_await rpc.account_info(account, solana::Commitment::finalized);
        payout.create_destination_account = !existing;
      }
    } catch (const solana::RpcError& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      co_await rpc_failed(settlement, failure);
      co_return;
    }
    auto message = solana::compile_legacy_message(custody.public_key(), recent.blockhash,
                                                  payout_instructions(payout));
    auto signed_transaction = solana::sign_transaction(message, custody);
    const transaction::SignedSettlement stored_form{
        .signature = solana::to_base58(signed_transaction.signature),
        .bytes = signed_transaction.bytes,
        .last_valid_block_height = static_cast<std::int64_t>(recent.last_valid_block_height),
        .blockhash_slot = static_cast<std::int64_t>(recent.context_slot)};
    // Stored and committed before it is sent: from here on it may land, and every owner of this
    // settlement will look for it before building another.
    const bool stored = co_await settlements.store_signed(settlement, stored_form);
    if (!stored) co_return;  // another instance took it over, or it was failed by hand
    log::info("settlement.submitted", {{"transaction", settlement.transaction_id.str()},
                                       {"signature", stored_form.signature}});
    co_await send(settlement, signed_transaction.bytes);
  }

  awaitable<void> send(const ClaimedSettlement& settlement,
                       const std::vector<std::uint8_t>& bytes) {
    std::string failure;
    try {
      co_await rpc.send_transaction(bytes);
    } catch (const solana::RpcError& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      co_await rpc_failed(settlement, failure);
      co_return;
    }
    co_await settlements.later(settlement, options.poll);
  }

  awaitable<void> rpc_failed(const ClaimedSettlement& settlement, const std::string& error) {
    const auto delay =
        backoff_with_jitter(options.retry_backoff, settlement.rpc_failures + 1, k_max_backoff);
    log::warn("settlement.rpc_failed", {{"transaction", settlement.transaction_id.str()},
                                        {"failures", settlement.rpc_failures + 1},
                                        {"error", error}});
    co_await settlements.rpc_failed(settlement, error, delay, options.max_rpc_failures);
  }

  // One settlement's step: whatever goes wrong with it that is not the RPC node's doing (a bug,
  // a row the database refuses) is logged and backed off like an outage, so that it neither
  // stops the rest of the batch nor comes back first forever. The database itself failing still
  // ends the run (the rows' leases lapse, the next run takes them again).
  template <class Step>
  awaitable<void> guarded(const ClaimedSettlement& settlement, Step step) {
    std::string failure;
    try {
      co_await step();
    } catch (const db::ConnectionError&) {
      throw;
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure.empty()) co_return;
    log::error("settlement.step_failed",
               {{"transaction", settlement.transaction_id.str()}, {"error", failure}});
    co_await rpc_failed(settlement, "an internal error (logged); retried");
  }

  Payout payout_of(const ClaimedSettlement& settlement) const {
    auto asset = asset_of(settlement.currency);
    auto destination = solana::PublicKey::from_base58(settlement.destination_address);
    // Only SOL and USDC withdrawals are queued, to addresses checked when they were requested.
    PAYROLLX_INVARIANT(asset.has_value() && destination.has_value(),
                       "only SOL and USDC withdrawals to checked addresses are queued");
    PAYROLLX_INVARIANT(settlement.amount > 0, "a withdrawal's amount is positive");
    return {.custody = custody.public_key(),
            .destination = *destination,
            .asset = *asset,
            .amount = static_cast<std::uint64_t>(settlement.amount),
            .usdc_mint = options.usdc_mint,
            .create_destination_account = false,
            .memo = "payrollx withdrawal " + settlement.transaction_id.str()};
  }

  void log_outcome(std::string_view event, const ClaimedSettlement& settlement,
                   const std::string& error = {}) {
    boost::json::object fields{{"transaction", settlement.transaction_id.str()},
                               {"signature", settlement.signature.value_or("")}};
    if (!error.empty()) fields["error"] = error;
    log::info(event, std::move(fields));
  }

  transaction::Settlements& settlements;
  SuspendedOrganizations suspended;
  solana::RpcClient& rpc;
  const solana::Keypair& custody;
  JobOptions options;
  bool stopping = false;  // the server shuts down: the batch in hand ends, and no other starts
  // By signature, for the transactions still in question (finalized_past_slot). In memory only:
  // after a restart, or in another instance, the next check notes a slot again and the proof
  // comes a little later; an entry whose settlement another instance finished stays until exit.
  std::map<std::string, std::uint64_t, std::less<>> first_finalized_past;
};

namespace {

// The job's body: the settler while it lives (the job's run may outlast a SettlementJob
// destroyed meanwhile).
WokenJob::Body settle_due_of(const std::shared_ptr<SettlementJob::Impl>& impl) {
  std::weak_ptr<SettlementJob::Impl> weak = impl;
  return [weak]() -> awaitable<void> {
    auto settler = weak.lock();
    if (!settler) co_return;
    co_await settler->settle_due();
  };
}

}  // namespace

SettlementJob::SettlementJob(asio::any_io_executor executor, transaction::Settlements& settlements,
                             SuspendedOrganizations suspended, solana::RpcClient& rpc,
                             const solana::Keypair& custody, JobOptions options)
    : impl_(std::make_shared<Impl>(settlements, std::move(suspended), rpc, custody, options)),
      job_(executor, "settlement.settle_due", options.poll, options.listen_conninfo,
           "payrollx_settlements", settle_due_of(impl_)) {}

SettlementJob::~SettlementJob() {
  stop();
}

void SettlementJob::start() {
  impl_->stopping = false;
  job_.start();
}

void SettlementJob::stop() {
  impl_->stopping = true;
  job_.stop();
}

asio::awaitable<void> SettlementJob::drained(std::chrono::milliseconds timeout) {
  co_await job_.drained(timeout);
}

}  // namespace payrollx::settlement
