#pragma once
// The one connection pool of the process: non-blocking libpq connections on the server's
// io_context. The rules it keeps: no thread ever blocks on the database; one pool with a fixed
// maximum, an acquire timeout, a check of connections that sat idle and reconnection with
// backoff; parameters are always bound, never formatted into SQL; a transaction rolls back on any
// exception and is retried whole, a bounded number of times, on a serialization failure (40001)
// or deadlock (40P01). docs/design.md tells why and how.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "core/db/session.hpp"

namespace payrollx {
class Metrics;
}

namespace payrollx::db {

struct PoolOptions {
  std::string conninfo;  // libpq URI or key=value string
  int max_size = 16;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::milliseconds connect_timeout{60000};
  std::chrono::milliseconds statement_timeout{60000};
  std::chrono::milliseconds idle_check_after{10000};  // ping a connection idle longer than this
  std::chrono::milliseconds slow_query{500};          // logged by name above this
  std::string application_name = "payrollx";
  // A pooler in transaction mode (ConnectionSettings::transaction_pooling); also no shared
  // pipeline: its statements go on ordinary connections.
  bool transaction_pooling = false;
};

enum class Isolation { read_committed, repeatable_read, serializable };

struct TxOptions {
  Isolation isolation = Isolation::read_committed;
  bool read_only = false;
  int max_attempts = 5;  // runs of fn on 40001 / 40P01 (a connection lost before COMMIT: more)
};

struct PoolStats {
  int size = 0;     // open connections
  int in_use = 0;   // checked out
  int waiting = 0;  // coroutines waiting for a connection
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, PoolOptions options, Metrics* metrics);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs fn(Tx&) between BEGIN and COMMIT on one connection. Any exception rolls back and
  // propagates; serialization failures and deadlocks rerun fn with jittered backoff up to
  // options.max_attempts times, so fn must not have effects outside the database.
  template <class F>
  auto transaction(F fn, TxOptions options = {}) -> std::invoke_result_t<F, Tx&> {
    using Awaitable = std::invoke_result_t<F, Tx&>;
    using T = typename Awaitable::value_type;
    if constexpr (std::is_void_v<T>) {
      co_await run_transaction([&](Tx& tx) -> boost::asio::awaitable<void> { co_await fn(tx); },
                               options);
    } else {
      std::optional<T> result;
      co_await run_transaction(
          [&](Tx& tx) -> boost::asio::awaitable<void> { result.emplace(co_await fn(tx)); },
          options);
      co_return std::move(*result);
    }
  }

  // One statement in autocommit mode (reads, and writes that need no transaction).
  template <class... Args>
  boost::asio::awaitable<Result> query(const Query& query, const Args&... args) {
    return execute(query, params_of(args...));
  }
  boost::asio::awaitable<Result> execute(const Query& query, std::vector<Param> params);

  // SELECT 1 on a pooled connection; throws ConnectionError / PoolTimeout when it fails.
  boost::asio::awaitable<void> ping();

  PoolStats stats() const;
  // Stops handing out connections, waits for checked-out ones up to `deadline`, closes all.
  boost::asio::awaitable<void> close(std::chrono::milliseconds deadline);

  using TxBody = std::function<boost::asio::awaitable<void>(Tx&)>;
  boost::asio::awaitable<void> run_transaction(TxBody body, TxOptions options);

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace payrollx::db
