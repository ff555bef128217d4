#include "settlement/job.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>
#include <utility>
#include <vector>

#include "core/auth/suspensions.hpp"
#include "core/backoff.hpp"
#include "core/db/listener.hpp"
#include "core/invariant.hpp"
#include "core/jobs.hpp"
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

constexpr int k_batch = 32;
// Longer than a batch's calls may take (each is bounded by the RPC timeout); a lapsed lease lets
// another instance go on, which is safe at any point: nothing is sent that is not stored, and
// the stored bytes are the same whoever sends them.
constexpr std::chrono::seconds k_lease{120};
constexpr std::chrono::milliseconds k_max_backoff{60000};
// After this many transactions expired without landing (the custody account cannot pay the fee,
// the cluster drops them), a person should look: FAILED, retryable.
constexpr int k_max_transactions = 8;

}  // namespace

struct SettlementJob::Impl : std::enable_shared_from_this<SettlementJob::Impl> {
  Impl(asio::any_io_executor executor, transaction::Settlements& settlements,
       const Suspensions& suspensions, solana::RpcClient& rpc, const solana::Keypair& custody,
       JobOptions options)
      : executor(executor),
        settlements(settlements),
        suspensions(suspensions),
        rpc(rpc),
        custody(custody),
        options(std::move(options)),
        poller(executor, "settlement.settle_due", this->options.poll,
               [this] { return settle_due(); }) {}

  // Every due settlement, a batch at a time; a wake-up during a run makes it look once more.
  awaitable<void> settle_due() {
    if (running) {
      again = true;
      co_return;
    }
    running = true;
    try {
      do {
        again = false;
        for (;;) {
          auto batch = co_await settlements.claim(k_batch, k_lease, suspensions.all());
          if (batch.empty()) break;
          co_await step(batch);
        }
      } while (again);
    } catch (...) {
      running = false;
      throw;
    }
    running = false;
  }

  awaitable<void> step(const std::vector<ClaimedSettlement>& batch) {
    std::vector<ClaimedSettlement> in_flight, to_build;
    for (const auto& settlement : batch)
      (settlement.signed_transaction ? in_flight : to_build).push_back(settlement);
    if (!in_flight.empty()) co_await check(in_flight);
    if (!to_build.empty()) co_await build(to_build);
  }

  // What became of the stored transactions: one height and one status call for the batch.
  awaitable<void> check(const std::vector<ClaimedSettlement>& batch) {
    std::vector<std::string> signatures;
    for (const auto& settlement : batch) signatures.push_back(*settlement.signature);
    std::uint64_t finalized_height = 0;
    std::vector<std::optional<solana::SignatureStatus>> statuses;
    std::string failure;
    try {
      // The height first: see verdict.hpp.
      finalized_height = co_await rpc.block_height(solana::Commitment::finalized);
      statuses = co_await rpc.signature_statuses(signatures, true);
    } catch (const solana::RpcError& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      for (const auto& settlement : batch) co_await rpc_failed(settlement, failure);
      co_return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
      co_await act(batch[i], statuses.at(i), finalized_height);
  }

  awaitable<void> act(const ClaimedSettlement& settlement,
                      const std::optional<solana::SignatureStatus>& status,
                      std::uint64_t finalized_height) {
    const auto last_valid = static_cast<std::uint64_t>(*settlement.last_valid_block_height);
    switch (judge(status, finalized_height, last_valid, options.commitment)) {
      case Verdict::completed: {
        const bool final = status->confirmation.value_or(solana::Commitment::finalized) ==
                           solana::Commitment::finalized;
        const bool done = co_await settlements.landed(
            settlement, final ? SettlementStatus::finalized : SettlementStatus::confirmed);
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
      case Verdict::expired:
        co_await settlements.expire(settlement, k_max_transactions);
        log_outcome("settlement.expired", settlement);
        co_return;
    }
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
    for (const auto& settlement : batch) co_await build_one(settlement, recent);
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
    const auto signature = solana::to_base58(signed_transaction.signature);
    // Stored and committed before it is sent: from here on it may land, and every owner of this
    // settlement will look for it before building another.
    const bool stored = co_await settlements.store_signed(
        settlement, signature, signed_transaction.bytes,
        static_cast<std::int64_t>(recent.last_valid_block_height));
    if (!stored) co_return;  // another instance took it over, or it was failed by hand
    log::info("settlement.submitted",
              {{"transaction", settlement.transaction_id.str()}, {"signature", signature}});
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
            .create_destination_account = false};
  }

  void log_outcome(std::string_view event, const ClaimedSettlement& settlement,
                   const std::string& error = {}) {
    boost::json::object fields{{"transaction", settlement.transaction_id.str()},
                               {"signature", settlement.signature.value_or("")}};
    if (!error.empty()) fields["error"] = error;
    log::info(event, std::move(fields));
  }

  // A run off the notification's callback; a failure waits for the next poll.
  void settle_soon() {
    auto self = shared_from_this();
    auto run = [self]() -> awaitable<void> {
      try {
        co_await self->settle_due();
      } catch (const std::exception& e) {
        log::warn("settlement.settle_due_failed", {{"error", e.what()}});
      }
    };
    asio::co_spawn(executor, std::move(run), asio::detached);
  }

  asio::any_io_executor executor;
  transaction::Settlements& settlements;
  const Suspensions& suspensions;
  solana::RpcClient& rpc;
  const solana::Keypair& custody;
  JobOptions options;
  PeriodicJob poller;
  std::unique_ptr<db::Listener> listener;
  bool running = false;
  bool again = false;
};

SettlementJob::SettlementJob(asio::any_io_executor executor, transaction::Settlements& settlements,
                             const Suspensions& suspensions, solana::RpcClient& rpc,
                             const solana::Keypair& custody, JobOptions options)
    : impl_(std::make_shared<Impl>(executor, settlements, suspensions, rpc, custody,
                                   std::move(options))) {
  if (impl_->options.listen_conninfo.empty()) return;
  std::weak_ptr<Impl> weak = impl_;
  impl_->listener = std::make_unique<db::Listener>(executor, impl_->options.listen_conninfo,
                                                   "payrollx_settlements", [weak] {
                                                     if (auto impl = weak.lock())
                                                       impl->settle_soon();
                                                   });
}

SettlementJob::~SettlementJob() {
  stop();
}

void SettlementJob::start() {
  impl_->settle_soon();
  impl_->poller.start();
  if (impl_->listener) impl_->listener->start();
}

void SettlementJob::stop() {
  impl_->poller.stop();
  if (impl_->listener) impl_->listener->stop();
}

}  // namespace payrollx::settlement
