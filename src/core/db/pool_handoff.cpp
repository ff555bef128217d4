// Handing a released connection, or the room to open one, to a coroutine waiting for it, on
// whichever thread it runs; and timing out the waits.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/pool_impl.hpp"
#include "core/db/pool_rules.hpp"
#include "core/invariant.hpp"

namespace payrollx::db {

asio::awaitable<void> Pool::Impl::wait(const std::shared_ptr<Waiter>& waiter) {
  co_await Sleeper::sleep(waiter, mutex_, executor_);
}

// Resumes the waiters whose acquire deadline passed; runs while any coroutine waits. It holds the
// pool only during a sweep: a pool that goes (with its connections, whose sockets may belong to
// other contexts) must not wait for the context of this coroutine to be destroyed.
asio::awaitable<void> Pool::Impl::sweep_waiters(std::weak_ptr<Impl> pool,
                                                asio::any_io_executor executor,
                                                milliseconds interval) {
  asio::steady_timer timer(executor);
  for (;;) {
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
    auto self = pool.lock();
    if (!self || !self->sweep_waiters_once()) co_return;
  }
}

bool Pool::Impl::sweep_waiters_once() {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  std::erase_if(waiters_, [now](const auto& waiter) {
    if (!pool_rules::acquire_expired(waiter->deadline, now)) return false;
    waiter->wake_locked();  // with neither a connection nor room: PoolTimeout
    return true;
  });
  sweeping_ = !waiters_.empty();
  return sweeping_;
}

void Pool::Impl::release(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> dropped;
  {
    std::lock_guard lock(mutex_);
    if (connection->reusable() && !closing_) {
      connection->mark_idle();
      if (!waiters_.empty()) {
        auto waiter = next_waiter_for_locked(*connection);
        waiter->connection = std::move(connection);
        waiter->wake_locked();
      } else {
        idle_.push_back(std::move(connection));
        PAYROLLX_INVARIANT(in_use_ > 0, "a connection was returned that the pool never leased");
        --in_use_;
        check_counts_locked();
      }
    } else {
      dropped = std::move(connection);
      release_room_locked();
    }
  }
}

std::shared_ptr<Waiter> Pool::Impl::next_waiter_for_locked(const Connection& connection) {
  auto chosen = pool_rules::waiter_for_released(
      waiters_.begin(), waiters_.end(), [](const auto& waiter) { return waiter->since; },
      [&](const auto& waiter) { return connection.runs_on(*waiter->context); });
  auto waiter = std::move(*chosen);
  waiters_.erase(chosen);
  return waiter;
}

void Pool::Impl::hand_room_to_waiter_locked() {
  if (closing_ || waiters_.empty() || !pool_rules::has_room(open_, options_.max_size)) return;
  auto waiter = waiters_.front();
  waiters_.pop_front();
  take_room_locked();
  waiter->may_open = true;
  waiter->wake_locked();
}

void Pool::Impl::take_room_locked() {
  ++open_;
  ++in_use_;
  check_counts_locked();
}

void Pool::Impl::release_room_locked() {
  PAYROLLX_INVARIANT(open_ > 0 && in_use_ > 0, "a connection was released that was not counted");
  --open_;
  --in_use_;
  check_counts_locked();
  hand_room_to_waiter_locked();
}

}  // namespace payrollx::db
