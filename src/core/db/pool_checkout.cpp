// Checking connections out of the pool: an idle one (checked for health as long as it sat idle
// warrants), a new one when there is room, else a wait for a released one; and closing the pool.
#include <sodium.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/error.hpp"
#include "core/db/pool_impl.hpp"
#include "core/db/pool_rules.hpp"
#include "core/invariant.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace payrollx::db {

namespace {
constexpr milliseconds k_close_poll{20};
}  // namespace

milliseconds jittered(milliseconds delay) {
  auto bound = static_cast<std::uint32_t>(std::max<milliseconds::rep>(delay.count(), 1));
  return milliseconds(delay.count() / 2 + randombytes_uniform(bound));
}

asio::awaitable<void> sleep_for(milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<Pool::Impl::Lease> Pool::Impl::acquire() {
  auto started = Clock::now();
  auto deadline = started + options_.acquire_timeout;
  const auto borrower = co_await asio::this_coro::executor;
  for (;;) {
    // The common cases decided without suspending (a coroutine frame less each).
    auto connection = take_idle(borrower);
    if (!connection) connection = co_await take(deadline, borrower);
    auto verdict = healthy_without_round_trip(*connection);
    if (verdict ? *verdict : co_await answers_ping(*connection)) {
      if (metrics_)
        metrics_->observe_acquire(std::chrono::duration<double>(Clock::now() - started).count());
      co_return Lease(shared_from_this(), std::move(connection));
    }
    release(std::move(connection));  // dropped: it is broken
  }
}

// An idle connection, a new one when there is room, or the next one released before `deadline`;
// in every case moved to the borrower's context.
asio::awaitable<std::unique_ptr<Connection>> Pool::Impl::take(
    Clock::time_point deadline, const asio::any_io_executor& borrower) {
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(mutex_);
    if (closing_) throw ConnectionError("the database pool is closed");
    if (auto connection = take_idle_locked(borrower)) co_return connection;
    if (pool_rules::has_room(open_, options_.max_size)) {
      take_room_locked();
    } else {
      waiter = std::make_shared<Waiter>(borrower, Clock::now(), deadline);
      waiters_.push_back(waiter);
      if (!sweeping_) {
        sweeping_ = true;
        auto interval = pool_rules::waiter_sweep_interval(options_.acquire_timeout);
        asio::co_spawn(executor_, sweep_waiters(weak_from_this(), executor_, interval),
                       asio::detached);
      }
    }
  }
  if (waiter) {
    co_await wait(waiter);
    // Each wake hands over one thing; a connection and room both would leave one counted twice.
    PAYROLLX_INVARIANT(!(waiter->connection && waiter->may_open),
                       "a waiter was given a connection and room to open one");
    if (waiter->connection) {
      if (!waiter->connection->runs_on(asio::query(borrower, asio::execution::context)))
        waiter->connection->move_to(borrower);
      co_return std::move(waiter->connection);
    }
    if (waiter->closed) throw ConnectionError("the database pool is closed");
    if (!waiter->may_open) throw PoolTimeout("no database connection became free in time");
  }
  co_return co_await open(borrower);
}

std::unique_ptr<Connection> Pool::Impl::take_idle(const asio::any_io_executor& borrower) {
  std::lock_guard lock(mutex_);
  if (closing_) throw ConnectionError("the database pool is closed");
  return take_idle_locked(borrower);
}

// The most recently used idle connection already on the borrower's context (its socket stays
// registered where it is), else the most recently used one, moved there; counted as in use.
std::unique_ptr<Connection> Pool::Impl::take_idle_locked(const asio::any_io_executor& borrower) {
  if (idle_.empty()) return nullptr;
  const auto& context = asio::query(borrower, asio::execution::context);
  auto local = std::find_if(idle_.rbegin(), idle_.rend(),
                            [&](const auto& connection) { return connection->runs_on(context); });
  auto chosen = local != idle_.rend() ? std::prev(local.base()) : std::prev(idle_.end());
  auto connection = std::move(*chosen);
  idle_.erase(chosen);
  ++in_use_;
  check_counts_locked();
  if (local == idle_.rend()) connection->move_to(borrower);
  return connection;
}

// Opens a connection for a slot already counted in open_ and in_use_ (released on failure).
asio::awaitable<std::unique_ptr<Connection>> Pool::Impl::open(
    const asio::any_io_executor& borrower) {
  std::exception_ptr failure;
  {
    std::lock_guard lock(mutex_);
    // After a failure, fail fast until the backoff passes instead of queueing on a dead server.
    if (!pool_rules::may_connect(reconnect_after_, Clock::now())) {
      release_room_locked();
      throw ConnectionError("the database is unavailable (reconnecting)");
    }
  }
  try {
    // Opening is bounded by connect_timeout, not by what is left of the acquire timeout (which
    // bounds waiting for a busy pool): a slow fork on a loaded server is not a full pool.
    auto connection =
        co_await Connection::open(borrower, settings_, Clock::now() + options_.connect_timeout);
    std::lock_guard lock(mutex_);
    reconnect_delay_ = milliseconds(0);
    co_return connection;
  } catch (const std::exception& e) {
    log::warn("db.connect_failed", {{"error", e.what()}});
    failure = std::current_exception();
  }
  {
    std::lock_guard lock(mutex_);
    reconnect_delay_ = pool_rules::next_reconnect_delay(reconnect_delay_);
    reconnect_after_ = Clock::now() + jittered(reconnect_delay_);
    release_room_locked();
  }
  std::rethrow_exception(failure);
}

// The connection's own state, or a read of its socket, or (nullopt) a round trip: see
// pool_rules::idle_check. A statement that still meets a dead connection is rerun by execute and
// run_transaction when nothing of it ran.
std::optional<bool> Pool::Impl::healthy_without_round_trip(Connection& connection) const {
  switch (
      pool_rules::idle_check(connection.idle_since(), Clock::now(), options_.idle_check_after)) {
    case pool_rules::IdleCheck::none:
      return connection.usable();
    case pool_rules::IdleCheck::read_socket:
      return connection.alive();
    case pool_rules::IdleCheck::round_trip:
      if (!connection.alive()) return false;
      break;
  }
  return std::nullopt;
}

asio::awaitable<bool> Pool::Impl::answers_ping(Connection& connection) {
  try {
    co_await connection.execute(k_ping, {});
    co_return true;
  } catch (const std::exception&) {
    co_return false;
  }
}

void Pool::Impl::check_counts_locked() const {
  PAYROLLX_INVARIANT(open_ <= options_.max_size, "the pool counts more connections than max_size");
  PAYROLLX_INVARIANT(in_use_ >= 0 && open_ == in_use_ + static_cast<int>(idle_.size()),
                     "the pool's open connections are not its idle plus its leased ones");
}

asio::awaitable<void> Pool::Impl::close(milliseconds deadline) {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (auto& waiter : waiters_) {
      waiter->closed = true;
      waiter->wake_locked();
    }
    waiters_.clear();
    open_ -= static_cast<int>(idle_.size());
    idle.swap(idle_);
    check_counts_locked();
    for (auto& entry : pipelines_)
      if (entry.pipeline) entry.pipeline->shut();  // its end releases its room
  }
  idle.clear();
  auto until = Clock::now() + deadline;
  while (stats().in_use > 0 && Clock::now() < until) co_await sleep_for(k_close_poll);
}

}  // namespace payrollx::db
