#include "core/db/socket_watch.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace payrollx::db {

namespace asio = boost::asio;
using boost::system::error_code;
using Signature = void(error_code, bool);

// One wait: the descriptor and the timer race, and the caller resumes once both handlers ran
// (so nothing is left pending on the socket when the coroutine continues).
struct SocketWatch::Wait {
  explicit Wait(asio::any_completion_handler<Signature> h) : handler(std::move(h)) {}
  asio::any_completion_handler<Signature> handler;
  int pending = 2;
  bool ready = false;
  bool cancelled = false;
  error_code error;
};

SocketWatch::SocketWatch(asio::any_io_executor executor)
    : strand_(asio::make_strand(executor)), descriptor_(strand_), timer_(strand_) {}

SocketWatch::~SocketWatch() {
  release();
}

void SocketWatch::watch(int fd) {
  release();
  if (fd >= 0) descriptor_.assign(fd);
}

void SocketWatch::release() {
  if (descriptor_.is_open()) descriptor_.release();
}

void SocketWatch::set_deadline(std::chrono::steady_clock::time_point deadline) {
  timer_.expires_at(deadline);
}

asio::awaitable<bool> SocketWatch::wait(Direction direction) {
  auto initiate = [this, direction](asio::any_completion_handler<Signature> handler) {
    start(std::make_shared<Wait>(std::move(handler)), direction);
  };
  return asio::async_initiate<const asio::use_awaitable_t<>&, Signature>(std::move(initiate),
                                                                         asio::use_awaitable);
}

void SocketWatch::start(std::shared_ptr<Wait> wait, Direction direction) {
  auto slot = asio::get_associated_cancellation_slot(wait->handler);
  if (slot.is_connected()) {
    // The cancellation may be emitted from any thread: hop onto the strand before touching
    // the descriptor, and only while this wait is still pending (then `this` is alive).
    slot.assign([this, wait, strand = strand_](asio::cancellation_type) {
      asio::post(strand, [this, wait] {
        if (wait->pending == 0) return;
        wait->cancelled = true;
        descriptor_.cancel();
        timer_.cancel();
      });
    });
  }
  asio::dispatch(strand_, [this, wait = std::move(wait), direction] {
    auto type = direction == Direction::read ? asio::posix::descriptor_base::wait_read
                                             : asio::posix::descriptor_base::wait_write;
    descriptor_.async_wait(type, asio::bind_executor(strand_, [this, wait](error_code ec) {
                             if (!ec) {
                               wait->ready = true;
                             } else if (ec != asio::error::operation_aborted) {
                               wait->error = ec;
                             }
                             timer_.cancel();
                             finish(wait);
                           }));
    timer_.async_wait(asio::bind_executor(strand_, [this, wait](error_code ec) {
      if (!ec) descriptor_.cancel();  // the deadline passed
      finish(wait);
    }));
  });
}

void SocketWatch::finish(const std::shared_ptr<Wait>& wait) {
  if (--wait->pending > 0) return;
  error_code ec = wait->error;
  if (!wait->ready && wait->cancelled) ec = asio::error::operation_aborted;
  bool ready = wait->ready;
  auto slot = asio::get_associated_cancellation_slot(wait->handler);
  if (slot.is_connected()) slot.clear();
  auto handler = std::move(wait->handler);
  auto executor = asio::get_associated_executor(handler, strand_);
  asio::dispatch(executor, [handler = std::move(handler), ec, ready]() mutable {
    std::move(handler)(ec, ready);
  });
}

}  // namespace payrollx::db
