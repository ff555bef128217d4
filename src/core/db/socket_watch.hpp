#pragma once
// Private to core/db: waits for libpq's socket to become readable or writable, bounded by a
// deadline. The descriptor, the timer and every wait's bookkeeping live on one strand, so a
// wait is race-free on an io_context run by several threads. (The awaitable `||` operator
// cancels the losing operation from whichever thread the winner completed on, which races
// unless the caller's coroutine already runs on a strand.)
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>

namespace payrollx::db {

class SocketWatch {
 public:
  enum class Direction { read, write };

  explicit SocketWatch(boost::asio::any_io_executor executor);
  ~SocketWatch();
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // Watches `fd` from now on (libpq may open a new socket at any step while connecting). The
  // socket stays libpq's: it is released, never closed, here.
  void watch(int fd);
  void release();
  void set_deadline(std::chrono::steady_clock::time_point deadline);

  // true when the socket is ready, false when the deadline passed first. Throws
  // boost::system::system_error on a socket error or when the awaiting coroutine is cancelled.
  boost::asio::awaitable<bool> wait(Direction direction);

 private:
  struct Wait;
  void start(std::shared_ptr<Wait> wait, Direction direction);
  void finish(const std::shared_ptr<Wait>& wait);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::posix::stream_descriptor descriptor_;
  boost::asio::steady_timer timer_;
};

}  // namespace payrollx::db
