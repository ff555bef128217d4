#include "core/db/pool.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <deque>
#include <exception>
#include <mutex>

#include "core/db/connection.hpp"
#include "core/db/error.hpp"
#include "core/db/pipeline.hpp"
#include "core/db/resume.hpp"
#include "core/db/sqlstate.hpp"
#include "core/invariant.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace payrollx::db {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr Query k_ping{"core.ping", "SELECT 1"};
constexpr milliseconds k_first_reconnect_delay{100};
constexpr milliseconds k_max_reconnect_delay{2000};
constexpr milliseconds k_retry_base_delay{5};
constexpr milliseconds k_close_poll{20};
// A released connection goes to the oldest waiter on its own context (no thread hop, no move),
// unless the oldest waiter of all came this much earlier: no context waits longer than another
// by more than this, at any load, and under an even load connections stay where they are.
constexpr milliseconds k_local_handoff_limit{2};
// At most one pooled connection in this many is a pipeline (one per io_context at most), so that
// transactions keep most of the pool.
constexpr int k_connections_per_pipeline = 4;
// A connection idle for less than this is handed out without reading its socket first.
constexpr milliseconds k_probe_after{250};

// What Query::shared requires of a statement, since one that the pipeline lost is sent again: a
// read. Checked on the text, not with a read-only session, which would outlive the statement on a
// server connection that PgBouncer (transaction mode) gives to another client.
bool is_select(std::string_view sql) {
  auto start = sql.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || sql.size() - start < 6) return false;
  auto word = sql.substr(start, 6);
  return std::equal(word.begin(), word.end(), "SELECT", [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == b;
  });
}

// Up to `delay`, uniformly: spreads retries of transactions that collided with each other.
milliseconds jittered(milliseconds delay) {
  auto bound = static_cast<std::uint32_t>(std::max<milliseconds::rep>(delay.count(), 1));
  return milliseconds(delay.count() / 2 + randombytes_uniform(bound));
}

std::string begin_statement(const TxOptions& options) {
  std::string sql = "BEGIN ISOLATION LEVEL ";
  switch (options.isolation) {
    case Isolation::read_committed:
      sql += "READ COMMITTED";
      break;
    case Isolation::repeatable_read:
      sql += "REPEATABLE READ";
      break;
    case Isolation::serializable:
      sql += "SERIALIZABLE";
      break;
  }
  if (options.read_only) sql += " READ ONLY";
  return sql;
}

asio::awaitable<void> sleep_for(milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

// A coroutine waiting for a connection. A release hands it a connection (or the right to open
// one) and resumes it; the pool's waiter sweep resumes it empty-handed once its deadline passed.
// Either happens under the pool's mutex, and removes it from the queue first.
struct Waiter {
  Waiter(const asio::any_io_executor& executor, Clock::time_point deadline)
      : context(&asio::query(executor, asio::execution::context)),
        since(Clock::now()),
        deadline(deadline) {}
  const asio::execution_context* context;
  Clock::time_point since;
  Clock::time_point deadline;
  // The suspended coroutine, once it has suspended (a waiter may be woken before that).
  std::unique_ptr<Resume> resume;
  asio::any_io_executor resume_on;
  std::unique_ptr<Connection> connection;
  bool may_open = false;
  bool woken = false;
  bool closed = false;

  // Under the pool's mutex, after leaving the queue.
  void wake() {
    woken = true;
    if (resume) asio::post(resume_on, [handler = std::move(resume)] { (*handler)(); });
  }
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
    for (auto& waiter : waiters_) waiter->resume.reset();
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
  // The waiter a released connection goes to (see k_local_handoff_limit); waiters_ is not empty.
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
  // A connection counted in open_ and in_use_ is gone: a waiter may open another.
  void release_room_locked();
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
    if (auto connection = take_idle_locked(borrower)) {
      ++in_use_;
      co_return connection;
    }
    if (open_ < options_.max_size) {
      ++open_;
      ++in_use_;
    } else {
      waiter = std::make_shared<Waiter>(borrower, deadline);
      waiters_.push_back(waiter);
      if (!sweeping_) {
        sweeping_ = true;
        auto interval =
            std::clamp(std::chrono::duration_cast<milliseconds>(options_.acquire_timeout / 10),
                       milliseconds(1), milliseconds(100));
        asio::co_spawn(executor_, sweep_waiters(weak_from_this(), executor_, interval),
                       asio::detached);
      }
    }
  }
  if (waiter) {
    co_await wait(waiter);
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
  auto connection = take_idle_locked(borrower);
  if (connection) {
    ++in_use_;
  }
  return connection;
}

// The most recently used idle connection already on the borrower's context (its socket stays
// registered where it is), else the most recently used one, moved there.
std::unique_ptr<Connection> Pool::Impl::take_idle_locked(const asio::any_io_executor& borrower) {
  if (idle_.empty()) return nullptr;
  const auto& context = asio::query(borrower, asio::execution::context);
  auto local = std::find_if(idle_.rbegin(), idle_.rend(),
                            [&](const auto& connection) { return connection->runs_on(context); });
  auto chosen = local != idle_.rend() ? std::prev(local.base()) : std::prev(idle_.end());
  auto connection = std::move(*chosen);
  idle_.erase(chosen);
  if (local == idle_.rend()) connection->move_to(borrower);
  return connection;
}

asio::awaitable<void> Pool::Impl::wait(const std::shared_ptr<Waiter>& waiter) {
  // The waiting coroutine resumes on its own executor (a strand, for a background job), not
  // on whichever thread woke it.
  auto initiate = [this, waiter](auto handler) {
    auto resume_on = asio::get_associated_executor(handler, executor_);
    std::lock_guard lock(mutex_);
    waiter->resume_on = resume_on;
    waiter->resume = Resume::of(std::move(handler));
    if (waiter->woken) waiter->wake();
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiate,
                                                                        asio::use_awaitable);
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
    if (waiter->deadline > now) return false;
    waiter->wake();  // with neither a connection nor room: PoolTimeout
    return true;
  });
  sweeping_ = !waiters_.empty();
  return sweeping_;
}

// Opens a connection for a slot already counted in open_ and in_use_ (released on failure).
asio::awaitable<std::unique_ptr<Connection>> Pool::Impl::open(
    const asio::any_io_executor& borrower) {
  std::exception_ptr failure;
  {
    std::lock_guard lock(mutex_);
    // After a failure, fail fast until the backoff passes instead of queueing on a dead server.
    if (Clock::now() < reconnect_after_) {
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
    reconnect_delay_ =
        std::clamp(reconnect_delay_ * 2, k_first_reconnect_delay, k_max_reconnect_delay);
    reconnect_after_ = Clock::now() + jittered(reconnect_delay_);
    release_room_locked();
  }
  std::rethrow_exception(failure);
}

// Nothing for a connection back from work a moment ago (a busy pool checks out thousands a
// second); a read of what arrived while idle (a terminated backend's error and end of stream)
// after k_probe_after; a round trip only for a connection that sat idle long enough for a
// firewall or a server restart to have killed it silently (nullopt here: answers_ping decides).
// A statement that still meets a dead connection is rerun by execute and run_transaction when
// nothing of it ran.
std::optional<bool> Pool::Impl::healthy_without_round_trip(Connection& connection) const {
  auto idle = Clock::now() - connection.idle_since();
  if (idle < k_probe_after) return connection.usable();
  if (!connection.alive()) return false;
  if (idle < options_.idle_check_after) return true;
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

void Pool::Impl::release(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> dropped;
  {
    std::lock_guard lock(mutex_);
    if (connection->reusable() && !closing_) {
      connection->mark_idle();
      if (!waiters_.empty()) {
        auto waiter = next_waiter_for_locked(*connection);
        waiter->connection = std::move(connection);
        waiter->wake();
      } else {
        idle_.push_back(std::move(connection));
        PAYROLLX_INVARIANT(in_use_ > 0, "a connection was returned that the pool never leased");
        --in_use_;
      }
    } else {
      dropped = std::move(connection);
      release_room_locked();
    }
  }
}

std::shared_ptr<Waiter> Pool::Impl::next_waiter_for_locked(const Connection& connection) {
  auto chosen = waiters_.begin();
  if (!connection.runs_on(*(*chosen)->context)) {
    auto local = std::find_if(waiters_.begin(), waiters_.end(), [&](const auto& waiter) {
      return connection.runs_on(*waiter->context);
    });
    if (local != waiters_.end() && (*local)->since - (*chosen)->since < k_local_handoff_limit)
      chosen = local;
  }
  auto waiter = std::move(*chosen);
  waiters_.erase(chosen);
  return waiter;
}

void Pool::Impl::hand_room_to_waiter_locked() {
  if (closing_ || waiters_.empty() || open_ >= options_.max_size) return;
  auto waiter = waiters_.front();
  waiters_.pop_front();
  ++open_;
  ++in_use_;
  waiter->may_open = true;
  waiter->wake();
}

std::shared_ptr<Pipeline> Pool::Impl::pipeline_for(const asio::execution_context& context,
                                                   std::uint64_t& reservation) {
  reservation = 0;
  // Behind a transaction pooler a pipeline's statements could each land on another server
  // connection in between; nothing is gained by it there, so there is none.
  if (options_.transaction_pooling) return nullptr;
  std::lock_guard lock(mutex_);
  if (closing_) return nullptr;
  auto found = find_pipeline_locked([&](const auto& entry) { return entry.context == &context; });
  if (found != pipelines_.end()) return found->pipeline;
  auto allowed = static_cast<std::size_t>(options_.max_size / k_connections_per_pipeline);
  if (pipelines_.size() >= allowed || open_ >= options_.max_size) return nullptr;
  reservation = ++last_reservation_;
  pipelines_.push_back({&context, reservation, nullptr});
  ++open_;
  ++in_use_;
  return nullptr;
}

auto Pool::Impl::find_pipeline_locked(const std::function<bool(const ContextPipeline&)>& matches)
    -> std::vector<ContextPipeline>::iterator {
  return std::find_if(pipelines_.begin(), pipelines_.end(), matches);
}

// Opens the connection of the pipeline whose entry (and room) pipeline_for reserved.
asio::awaitable<std::shared_ptr<Pipeline>> Pool::Impl::open_pipeline(
    const asio::any_io_executor& borrower, std::uint64_t reservation) {
  std::unique_ptr<Connection> connection;
  try {
    connection = co_await open(borrower);
  } catch (const std::exception&) {
    // Logged, and its room released, by open(); the statement goes to a pooled connection.
  }
  const bool opened = connection != nullptr;
  std::shared_ptr<Pipeline> pipeline;
  if (opened) {
    try {
      pipeline = Pipeline::start(std::move(connection), [pool = weak_from_this(), reservation] {
        if (auto self = pool.lock()) self->pipeline_ended(reservation);
      });
    } catch (const std::exception& e) {
      log::warn("db.pipeline_failed", {{"error", e.what()}});
      connection.reset();
    }
  }
  std::lock_guard lock(mutex_);
  auto found =
      find_pipeline_locked([&](const auto& entry) { return entry.reservation == reservation; });
  if (!pipeline) {
    if (found != pipelines_.end()) pipelines_.erase(found);
    if (opened) release_room_locked();
    co_return nullptr;
  }
  if (found == pipelines_.end()) co_return nullptr;  // it ended already
  found->pipeline = pipeline;
  if (closing_) pipeline->shut();
  co_return pipeline;
}

void Pool::Impl::pipeline_ended(std::uint64_t reservation) {
  std::lock_guard lock(mutex_);
  auto found =
      find_pipeline_locked([&](const auto& entry) { return entry.reservation == reservation; });
  if (found != pipelines_.end()) pipelines_.erase(found);
  release_room_locked();
}

void Pool::Impl::release_room_locked() {
  PAYROLLX_INVARIANT(open_ > 0 && in_use_ > 0, "a connection was released that was not counted");
  --open_;
  --in_use_;
  hand_room_to_waiter_locked();
}

asio::awaitable<void> Pool::Impl::close(milliseconds deadline) {
  std::vector<std::unique_ptr<Connection>> idle;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    for (auto& waiter : waiters_) {
      waiter->closed = true;
      waiter->wake();
    }
    waiters_.clear();
    open_ -= static_cast<int>(idle_.size());
    idle.swap(idle_);
    for (auto& entry : pipelines_)
      if (entry.pipeline) entry.pipeline->shut();  // its end releases its room
  }
  idle.clear();
  auto until = Clock::now() + deadline;
  while (stats().in_use > 0 && Clock::now() < until) co_await sleep_for(k_close_poll);
}

Pool::Pool(asio::any_io_executor executor, PoolOptions options, Metrics* metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), metrics)) {}

Pool::~Pool() = default;

asio::awaitable<Result> Pool::execute(const Query& query, std::vector<Param> params) {
  if (query.shared) {
    if (!is_select(query.sql))
      throw std::logic_error(fmt::format("{}: a shared statement must be a SELECT", query.name));
    const auto executor = co_await asio::this_coro::executor;
    std::uint64_t reservation = 0;
    auto pipeline =
        impl_->pipeline_for(asio::query(executor, asio::execution::context), reservation);
    if (reservation != 0) pipeline = co_await impl_->open_pipeline(executor, reservation);
    if (pipeline) {
      try {
        co_return co_await pipeline->execute(query, params);
      } catch (const PipelineLost&) {
        // A read: sent again below, on a pooled connection.
      }
    }
  }
  // Retried when the connection died with nothing committed: the statement never went out, or
  // the server ended the session (rolling the statement back) before answering it. After a
  // mass termination every pooled connection may be dead: one attempt each, and a fresh one.
  const int attempts = impl_->options().max_size + 1;
  for (int attempt = 1;; ++attempt) {
    auto connection = co_await impl_->acquire();
    try {
      co_return co_await connection->execute(query, params);
    } catch (const ConnectionError&) {
      bool nothing_ran = !connection->query_sent() || connection->ended_by_server();
      if (attempt >= attempts || !nothing_ran) throw;
    }
  }
}

asio::awaitable<void> Pool::ping() {
  co_await execute(k_ping, {});
}

PoolStats Pool::stats() const {
  return impl_->stats();
}

asio::awaitable<void> Pool::close(milliseconds deadline) {
  co_await impl_->close(deadline);
}

asio::awaitable<void> Pool::run_transaction(TxBody body, TxOptions options) {
  const std::string begin = begin_statement(options);
  // Conflicts (40001/40P01) are retried up to max_attempts with backoff; a connection lost
  // before COMMIT went out is retried at once, once per pooled connection that may be dead.
  int conflicts = 0;
  int lost = 0;
  for (;;) {
    std::exception_ptr failure;
    bool conflict = false;
    bool lost_before_commit = false;
    {
      auto connection = co_await impl_->acquire();
      bool commit_sent = false;
      try {
        co_await connection->run_script(begin);
        Tx tx(*connection);
        co_await body(tx);
        co_await tx.run_before_commit_hooks();
        // A body that swallowed a failed statement would otherwise COMMIT into a silent ROLLBACK.
        if (connection->in_failed_transaction())
          throw Error(std::string(sqlstate::k_in_failed_sql_transaction),
                      "the transaction failed and cannot commit");
        commit_sent = true;
        co_await connection->run_script("COMMIT");
        co_return;
      } catch (const Error& e) {
        failure = std::current_exception();
        conflict = e.is_retryable();  // the server rolled back, also when COMMIT itself failed
      } catch (const ConnectionError&) {
        failure = std::current_exception();
        lost_before_commit = !commit_sent;  // lost during COMMIT: outcome unknown, never rerun
      } catch (...) {
        failure = std::current_exception();
      }
      if (connection->usable() && !connection->reusable()) {
        try {
          co_await connection->run_script("ROLLBACK");
        } catch (const std::exception&) {
          // The connection is dropped by the lease; the server rolls back when it goes.
        }
      }
    }
    if (lost_before_commit && ++lost <= impl_->options().max_size) continue;
    if (!conflict || ++conflicts >= options.max_attempts) std::rethrow_exception(failure);
    if (impl_->metrics()) impl_->metrics()->count_transaction_retry();
    co_await sleep_for(jittered(k_retry_base_delay * (1 << std::min(conflicts, 6))));
  }
}

}  // namespace payrollx::db
