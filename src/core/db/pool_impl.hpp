#pragma once
// Private to core/db: the state of the one connection pool (Pool::Impl) and its waiters. Its work
// is split by job: pool_checkout.cpp checks connections out (idle, new, checked for health) and
// closes the pool; pool_handoff.cpp gives a released connection, or room for one, to a waiting
// coroutine on whichever thread; pool_pipelines.cpp keeps the pipelines' share of the pool. The
// decisions themselves are pure functions in pool_rules.hpp.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/db/connection.hpp"
#include "core/db/pipeline.hpp"
#include "core/db/pool.hpp"
#include "core/db/sleeper.hpp"

namespace payrollx::db {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline constexpr Query k_ping{"core.ping", "SELECT 1"};

// Suspends the calling coroutine for `delay` on its own executor.
asio::awaitable<void> sleep_for(milliseconds delay);
// Between half of `delay` and one and a half times it, uniformly: spreads the retries of
// coroutines that failed together (a conflict between transactions, a server that went away).
milliseconds jittered(milliseconds delay);

// A coroutine waiting for a connection. A release hands it a connection (or the right to open
// one) and wakes it; the pool's waiter sweep wakes it empty-handed once its deadline passed.
// Either happens under the pool's mutex, and removes it from the queue first.
struct Waiter : Sleeper {
  Waiter(const asio::any_io_executor& executor, Clock::time_point since, Clock::time_point deadline)
      : context(&asio::query(executor, asio::execution::context)),
        since(since),
        deadline(deadline) {}
  const asio::execution_context* context;
  Clock::time_point since;
  Clock::time_point deadline;
  std::unique_ptr<Connection> connection;
  bool may_open = false;
  bool closed = false;
};

class Pool::Impl : public std::enable_shared_from_this<Pool::Impl> {
 public:
  Impl(asio::any_io_executor executor, PoolOptions options, Metrics* metrics)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        metrics_(metrics),
        settings_(std::make_shared<ConnectionSettings>(
            ConnectionSettings{.conninfo = options_.conninfo,
                               .application_name = options_.application_name,
                               .statement_timeout = options_.statement_timeout,
                               .slow_query = options_.slow_query,
                               .metrics = metrics,
                               .transaction_pooling = options_.transaction_pooling})) {}
  // Only when no coroutine can resume any more (its io_context is gone): a waiter's stored
  // coroutine would otherwise keep the waiter, and so itself, alive.
  ~Impl() {
    for (auto& waiter : waiters_) waiter->forget();
    for (auto& entry : pipelines_)
      if (entry.pipeline) entry.pipeline->shut();
  }

  // A checked-out connection, returned to the pool (or dropped when not reusable) on scope exit.
  class Lease {
   public:
    Lease(std::shared_ptr<Impl> pool, std::unique_ptr<Connection> connection)
        : pool_(std::move(pool)), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (connection_) pool_->release(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }

   private:
    std::shared_ptr<Impl> pool_;
    std::unique_ptr<Connection> connection_;
  };

  asio::awaitable<Lease> acquire();
  void release(std::unique_ptr<Connection> connection);
  PoolStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_locked();
  }
  asio::awaitable<void> close(milliseconds deadline);
  // The pipeline for Query::shared statements on `context`. nullptr when they are to run on a
  // pooled connection like the others: there is no room for one, or it is being opened, or
  // (`reservation` not 0) the caller is to open it with open_pipeline.
  std::shared_ptr<Pipeline> pipeline_for(const asio::execution_context& context,
                                         std::uint64_t& reservation);
  asio::awaitable<std::shared_ptr<Pipeline>> open_pipeline(const asio::any_io_executor& borrower,
                                                           std::uint64_t reservation);
  const PoolOptions& options() const { return options_; }
  Metrics* metrics() const { return metrics_; }

 private:
  PoolStats stats_locked() const {
    return {.size = open_, .in_use = in_use_, .waiting = static_cast<int>(waiters_.size())};
  }
  asio::awaitable<std::unique_ptr<Connection>> take(Clock::time_point deadline,
                                                    const asio::any_io_executor& borrower);
  std::unique_ptr<Connection> take_idle_locked(const asio::any_io_executor& borrower);
  asio::awaitable<void> wait(const std::shared_ptr<Waiter>& waiter);
  static asio::awaitable<void> sweep_waiters(std::weak_ptr<Impl> pool,
                                             asio::any_io_executor executor, milliseconds interval);
  // One sweep; false when no one waits any more (the sweep ends).
  bool sweep_waiters_once();
  asio::awaitable<std::unique_ptr<Connection>> open(const asio::any_io_executor& borrower);
  // Whether a connection is fit to hand out, when that is known without a round trip.
  std::optional<bool> healthy_without_round_trip(Connection& connection) const;
  asio::awaitable<bool> answers_ping(Connection& connection);
  // An idle connection, moved to the borrower's context, or nullptr.
  std::unique_ptr<Connection> take_idle(const asio::any_io_executor& borrower);
  // The waiter a released connection goes to (pool_rules::waiter_for_released), out of the queue;
  // waiters_ is not empty.
  std::shared_ptr<Waiter> next_waiter_for_locked(const Connection& connection);
  // Gives the first waiter the right to open a connection when the pool has room for one.
  void hand_room_to_waiter_locked();
  struct ContextPipeline {
    const asio::execution_context* context;
    std::uint64_t reservation;           // tells this entry from a later one of the same context
    std::shared_ptr<Pipeline> pipeline;  // nullptr while it is being opened
  };
  std::vector<ContextPipeline>::iterator find_pipeline_locked(
      const std::function<bool(const ContextPipeline&)>& matches);
  // The entry of a pipeline by the reservation pipeline_for made for it (end() once it ended).
  std::vector<ContextPipeline>::iterator find_reservation_locked(std::uint64_t reservation);
  // Counts a connection about to be opened (for a lease or a pipeline) in open_ and in_use_.
  void take_room_locked();
  // A connection counted in open_ and in_use_ is gone: a waiter may open another.
  void release_room_locked();
  // After every change of the counts: what they count must add up, or the pool would hand out
  // more connections than max_size, or stall with room it believes taken.
  void check_counts_locked() const;
  // A pipeline ended (its connection lost or shut): its room goes back to the pool.
  void pipeline_ended(std::uint64_t reservation);

  asio::any_io_executor executor_;
  PoolOptions options_;
  Metrics* metrics_;
  std::shared_ptr<const ConnectionSettings> settings_;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  int open_ = 0;    // counted against max_size: idle, leased, and being opened
  int in_use_ = 0;  // leased or being opened
  std::deque<std::shared_ptr<Waiter>> waiters_;
  std::vector<ContextPipeline> pipelines_;  // counted in open_ and in_use_
  std::uint64_t last_reservation_ = 0;
  bool sweeping_ = false;  // sweep_waiters runs
  bool closing_ = false;
  Clock::time_point reconnect_after_{};
  milliseconds reconnect_delay_{0};
};

}  // namespace payrollx::db
