#pragma once
// The Beast HTTP/1.1 keep-alive server: one coroutine per connection.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace payrollx::http {

class Dispatcher;

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;             // 0: any free port (port() tells which)
  std::size_t body_limit = 1024 * 1024;  // routes may allow more (Route::body_limit)
  std::size_t header_limit = 8 * 1024;
  std::chrono::milliseconds read_timeout{30000};  // whole request, header and body
  std::chrono::milliseconds idle_timeout{60000};  // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_timeout{20000};
};

class Server {
 public:
  // Accepts on `io`. Each connection is served on one of `session_contexts`, in turn; each of
  // them must be run by exactly one thread, so that a connection's work needs no strand and
  // never moves between threads (what makes a one-thread-per-context server fast).
  Server(boost::asio::io_context& io, std::vector<boost::asio::io_context*> session_contexts,
         Dispatcher& dispatcher, ServerOptions options);
  ~Server();

  // Binds and starts accepting. Throws std::system_error when the address is taken.
  void start();
  std::uint16_t port() const;
  // Graceful: stop accepting, let in-flight requests finish (up to shutdown_timeout), close
  // idle keep-alive connections, then cancel what is left.
  boost::asio::awaitable<void> shutdown();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace payrollx::http
