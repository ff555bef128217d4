#pragma once
// The audit chain's sealer: gives committed, queued audit entries their place in their
// organisation's hash chain. Public through compliance.hpp (the app runs one per instance, the
// report maker seals before an export).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/uuid.hpp"

namespace payrollx::db {
class Pool;
}

namespace payrollx::compliance {

// Seals the organisation's queued entries, in queue order, in transactions of at most a
// thousand under the chain head's lock; returns how many it sealed. Everything committed before
// the call is sealed when it returns. Safe in any number of instances at once: sealers of one
// organisation take turns on its head, and each entry is sealed once.
boost::asio::awaitable<std::int64_t> seal_queued(db::Pool& pool, const Uuid& organization_id);

struct SealerOptions {
  // How long after a commit its organisation is sealed: a longer wait seals more commits in one
  // transaction, at the price of entries that stay out of the chain that much longer.
  std::chrono::milliseconds delay{0};
  // How often the queue is searched for entries of every organisation: those committed by an
  // instance that stopped (or died) before sealing them.
  std::chrono::milliseconds sweep{1000};
};

// One per instance. poke() after a commit that queued entries; the sealer seals their
// organisation soon after, one organisation at a time, and the sweep finds the rest.
class Sealer {
 public:
  Sealer(boost::asio::any_io_executor executor, db::Pool& pool, SealerOptions options);
  ~Sealer();
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  // From any thread.
  void poke(const Uuid& organization_id);
  // Starts the sweep; pokes are served from construction on.
  void start();
  // Stops the sweep and the delay: during a graceful shutdown (jobs stop first, then in-flight
  // requests finish), the commits still poke and are sealed at once, until the pool closes.
  // What a seal could not finish stays queued for the sweep of the next instance to run.
  void stop();

  struct State;  // defined in sealer.cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace payrollx::compliance
