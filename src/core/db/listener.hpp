#pragma once
// A connection of its own (never the pool's: LISTEN holds its session) that LISTENs on a channel
// and calls `on_notify` on its executor whenever a committed transaction NOTIFYs it; it
// reconnects with a growing delay when the connection is lost. Whatever it misses while
// reconnecting, its user must find by polling: a notification only says "look now".
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

namespace payrollx::db {

class Listener {
 public:
  // `channel` is a plain identifier (letters, digits, underscores).
  Listener(boost::asio::any_io_executor executor, std::string conninfo, std::string channel,
           std::function<void()> on_notify);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace payrollx::db
