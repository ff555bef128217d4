#pragma once
// Private to core/db: waits for libpq's socket to become readable or writable, bounded by the
// current statement's deadline. A wait is one plain descriptor wait on the context of the
// coroutine using the connection (the pool moves a connection to its borrower's context), so a
// query costs the reactor no more than the bare socket would; the deadline is kept by the
// DeadlineWatchdog, not by a timer per wait.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <optional>

#include "core/db/deadline_watchdog.hpp"

namespace payrollx::db {

class SocketWatch {
 public:
  enum class Direction { read, write };

  explicit SocketWatch(boost::asio::any_io_executor executor);
  ~SocketWatch();
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // Watches `fd` from now on (libpq may open a new socket at any step while connecting), through
  // a duplicate: libpq's own descriptor is never closed here.
  void watch(int fd);
  void release();
  // Shuts the socket down in both directions: every wait on it ends at once. From any thread,
  // between watch() and release().
  void shutdown();
  // Waits from now on are made on `executor`'s context. Only between waits.
  void move_to(boost::asio::any_io_executor executor);
  bool runs_on(const boost::asio::execution_context& context) const;
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Bounds the waits until clear_deadline(): once it passed, wait() returns false.
  void set_deadline(std::chrono::steady_clock::time_point deadline);
  // True when the deadline had expired: the socket is shut down, the connection unusable.
  bool clear_deadline();

  // true when the socket is ready, false when the deadline passed first. Throws
  // boost::system::system_error on a socket error or when the awaiting coroutine is cancelled.
  boost::asio::awaitable<bool> wait(Direction direction);

 private:
  boost::asio::any_io_executor executor_;
  // executor_'s context, asked of the executor once: the pool compares it at every hand-over.
  const boost::asio::execution_context* context_;
  std::optional<boost::asio::posix::stream_descriptor> descriptor_;
  DeadlineWatchdog::Registration deadline_;
};

}  // namespace payrollx::db
