#pragma once
// Private to core/db: one connection in libpq's pipeline mode, shared by the coroutines of one
// io_context for the statements marked Query::shared (reads: SELECTs). Each
// statement goes out behind those in flight, with its own Sync: it runs in its own implicit
// transaction, and its error ends nothing else. One reader coroutine takes the results off the
// socket in order and resumes their coroutines. The server then wakes once for as many statements
// as arrived together, where a pooled connection per statement wakes it once each. Thread-safe: an
// io_context run by several threads shares one pipeline too.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/db/error.hpp"
#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/db/value.hpp"

namespace payrollx::db {

class Connection;

// The pipeline's connection ended before the statement's answer came. Shared statements are
// reads, so the pool sends it again on another connection.
class PipelineLost : public ConnectionError {
 public:
  using ConnectionError::ConnectionError;
};

class Pipeline : public std::enable_shared_from_this<Pipeline> {
 public:
  using Clock = std::chrono::steady_clock;
  using OnEnd = std::function<void()>;

  // Takes an open, idle connection into pipeline mode and starts its reader. `on_end` runs once,
  // from the reader, when the connection was lost or shut and every statement in flight failed.
  static std::shared_ptr<Pipeline> start(std::unique_ptr<Connection> connection, OnEnd on_end);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // One statement, prepared on its first use here. Throws db::Error (57014 at the client
  // deadline) or PipelineLost.
  boost::asio::awaitable<Result> execute(const Query& query, const std::vector<Param>& params);
  // Fails the statements in flight and ends the pipeline (the reader finishes); any thread.
  void shut();

 private:
  struct Slot;
  Pipeline(std::unique_ptr<Connection> connection, OnEnd on_end);

  static boost::asio::awaitable<void> read(std::shared_ptr<Pipeline> self);
  static boost::asio::awaitable<void> flush(std::shared_ptr<Pipeline> self);
  // Queues the statement's messages (a Prepare first when the name is new here) and its Sync.
  void send_locked(const Query& query, const std::vector<Param>& params, Slot& slot);
  // Sends what libpq holds; what does not fit in the socket now is left to flush().
  void flush_locked();
  // Hands out every complete answer libpq has read, in order.
  void take_results_locked();
  void answer_first_locked();
  // A statement the server does not know (26000) is prepared again on its next use, unless a
  // Prepare of it is already on its way.
  void forget_unless_preparing_locked(std::string_view name);
  // Stops the pipeline: the reader wakes (its socket is shut down) and fails what is in flight.
  void end_locked();
  void finish(bool timed_out);

  std::unique_ptr<Connection> connection_;
  OnEnd on_end_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<Slot>> slots_;  // sent, in order, not yet answered
  bool ending_ = false;
  bool flushing_ = false;  // flush() runs
};

}  // namespace payrollx::db
