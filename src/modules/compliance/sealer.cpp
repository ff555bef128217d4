// The sealer: queued audit entries get their seq, prev_hash and hash after commit.
//
// Why after commit: every entry's hash covers the previous entry's hash, so the chain of one
// organisation has one writer at a time. When each writer sealed its own entry, it held the
// chain head from just before its COMMIT to the end of the COMMIT's WAL flush, and every money
// request of the organisation queued on that flush. Now writers only queue their entries, and a
// seal transaction chains everything queued at once: one head lock and one flush for many
// commits.
//
// Why nothing is lost or reordered: an entry and its queue row are written by the transaction of
// the change, so they exist exactly when the change committed. A seal pass takes the head's lock
// first and only then reads the queue, so it sees every entry committed before it got the lock,
// and no other pass can take the same rows (they wait for the lock, then find them gone). The
// pass inserts the seals, deletes exactly those queue rows and moves the head in one statement
// of one transaction: all of it or none. Entries are chained in queue order (one sequence), so
// an entry written after another one committed comes after it in the chain, and the entries of
// one transaction stay in the order they were appended. A process that dies between a commit
// and its seal leaves the queue row, which the next pass of any instance seals (the sweep, a
// reader, or a later commit of the same organisation).
#include "modules/compliance/sealer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <set>

#include "core/db/pool.hpp"
#include "core/invariant.hpp"
#include "core/jobs.hpp"
#include "core/log.hpp"
#include "modules/compliance/store.hpp"

namespace payrollx::compliance {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

// Entries per seal transaction: bounded memory and lock time whatever the queue's length.
constexpr int k_seal_batch = 1000;

// Chains `queued` after `head` in queue order: their seals, and the queue positions they leave.
std::vector<store::Seal> chain(const store::ChainHead& head,
                               std::vector<store::QueuedEntry>& queued,
                               std::vector<std::int64_t>& positions) {
  std::vector<store::Seal> seals;
  seals.reserve(queued.size());
  positions.reserve(queued.size());
  auto seq = head.seq;
  auto prev_hash = head.hash;
  for (auto& entry : queued) {
    PAYROLLX_INVARIANT(positions.empty() || positions.back() < entry.position,
                       "queued entries are sealed in queue order");
    entry.link.seq = ++seq;
    entry.link.prev_hash = prev_hash;
    auto hash = chain_hash(entry.link);
    seals.push_back({.entry_id = entry.id, .seq = seq, .prev_hash = prev_hash, .hash = hash});
    positions.push_back(entry.position);
    prev_hash = std::move(hash);
  }
  return seals;
}

// One seal transaction: up to a batch of the organisation's queued entries; how many it sealed.
awaitable<std::size_t> seal_batch(db::Pool& pool, const Uuid& organization_id) {
  auto pass = [&](db::Tx& tx) -> awaitable<std::size_t> {
    // The lock first, then the queue: see the comment at the top.
    auto head = co_await store::take_head(tx, organization_id);
    auto queued = co_await store::select_queued(tx, organization_id, k_seal_batch);
    if (queued.empty()) co_return 0;
    std::vector<std::int64_t> positions;
    auto seals = chain(head, queued, positions);
    co_await store::store_seals(tx, organization_id, seals, positions);
    co_return seals.size();
  };
  co_return co_await pool.transaction(pass);
}

}  // namespace

awaitable<std::int64_t> seal_queued(db::Pool& pool, const Uuid& organization_id) {
  std::int64_t sealed = 0;
  for (;;) {
    // Without a lock: a reader of an organisation with nothing queued writes nothing.
    const bool queued = co_await store::has_queued(pool, organization_id);
    if (!queued) co_return sealed;
    const auto batch = co_await seal_batch(pool, organization_id);
    sealed += static_cast<std::int64_t>(batch);
    if (batch < static_cast<std::size_t>(k_seal_batch)) co_return sealed;
  }
}

// Everything the sealer's coroutines touch, on one strand.
struct Sealer::State {
  State(asio::any_io_executor executor, db::Pool& pool, SealerOptions options)
      : strand(asio::make_strand(executor)), delay_timer(strand), pool(pool), options(options) {}

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer delay_timer;
  db::Pool& pool;
  SealerOptions options;
  std::set<Uuid> due;  // organisations poked since their last seal
  bool draining = false;
  bool stopping = false;  // no more sweeps nor delays: the commits of a shutdown seal at once
  std::unique_ptr<PeriodicJob> sweep;
};

namespace {

// Seals the due organisations, one at a time, until none is due. Owns the state while it runs.
awaitable<void> drain(std::shared_ptr<Sealer::State> state) {
  while (!state->due.empty()) {
    if (state->options.delay.count() > 0 && !state->stopping) {
      state->delay_timer.expires_after(state->options.delay);
      try {
        co_await state->delay_timer.async_wait(asio::use_awaitable);
      } catch (const boost::system::system_error&) {
        // Cancelled by stop(): seal now.
      }
    }
    const auto due = std::exchange(state->due, {});
    for (const auto& organization_id : due) {
      try {
        co_await seal_queued(state->pool, organization_id);
      } catch (const std::exception& e) {
        // Left queued: the sweep, a reader or the organisation's next commit seals it.
        log::error("audit.seal_failed",
                   {{"organization", organization_id.str()}, {"error", e.what()}});
      }
    }
  }
  state->draining = false;
}

// Marks the organisation due and starts a drain unless one is running.
void make_due(const std::shared_ptr<Sealer::State>& state, const Uuid& organization_id) {
  asio::post(state->strand, [state, organization_id] {
    state->due.insert(organization_id);
    if (state->draining) return;
    state->draining = true;
    asio::co_spawn(state->strand, drain(state), asio::detached);
  });
}

}  // namespace

Sealer::Sealer(asio::any_io_executor executor, db::Pool& pool, SealerOptions options)
    : state_(std::make_shared<State>(executor, pool, options)) {
  state_->sweep = std::make_unique<PeriodicJob>(
      executor, "audit.seal_sweep", options.sweep,
      [weak = std::weak_ptr<State>(state_), &pool]() -> awaitable<void> {
        auto organizations = co_await store::select_unsealed_organizations(pool);
        auto state = weak.lock();
        if (!state) co_return;
        for (const auto& organization_id : organizations) make_due(state, organization_id);
      });
}

Sealer::~Sealer() {
  stop();
}

void Sealer::poke(const Uuid& organization_id) {
  make_due(state_, organization_id);
}

void Sealer::start() {
  state_->sweep->start();
}

void Sealer::stop() {
  state_->sweep->stop();
  asio::post(state_->strand, [state = state_] {
    state->stopping = true;
    state->delay_timer.cancel();
  });
}

}  // namespace payrollx::compliance
