#include "core/db/socket_watch.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <system_error>

namespace payrollx::db {

namespace asio = boost::asio;

namespace {

const asio::execution_context* context_of(const asio::any_io_executor& executor) {
  return &asio::query(executor, asio::execution::context);
}

}  // namespace

SocketWatch::SocketWatch(asio::any_io_executor executor)
    : executor_(std::move(executor)), context_(context_of(executor_)) {}

SocketWatch::~SocketWatch() {
  release();
}

void SocketWatch::watch(int fd) {
  // Always afresh, even for the same number: libpq may have closed its socket and opened another
  // that the kernel numbered alike.
  release();
  deadline_.guard(fd);
  if (fd < 0) return;
  // The reactor gets a duplicate of its own. libpq closes its descriptor when the server hangs
  // up, and the kernel may hand that number to a socket opened at once on another thread: the
  // reactor must never remove that socket's registration in the name of this one.
  int duplicate = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (duplicate < 0) throw std::system_error(errno, std::system_category(), "dup");
  descriptor_.emplace(executor_, duplicate);
}

void SocketWatch::release() {
  if (descriptor_) {
    boost::system::error_code ignored;
    descriptor_->close(ignored);
  }
  descriptor_.reset();
}

void SocketWatch::shutdown() {
  if (descriptor_) ::shutdown(descriptor_->native_handle(), SHUT_RDWR);
}

void SocketWatch::move_to(asio::any_io_executor executor) {
  executor_ = std::move(executor);
  context_ = context_of(executor_);
  if (!descriptor_) return;
  int duplicate = descriptor_->release();
  descriptor_.emplace(executor_, duplicate);
}

bool SocketWatch::runs_on(const asio::execution_context& context) const {
  return context_ == &context;
}

void SocketWatch::set_deadline(std::chrono::steady_clock::time_point deadline) {
  deadline_.set_deadline(deadline);
}

bool SocketWatch::clear_deadline() {
  return deadline_.clear_deadline();
}

asio::awaitable<bool> SocketWatch::wait(Direction direction) {
  if (deadline_.expired()) co_return false;
  if (!descriptor_) throw boost::system::system_error(asio::error::bad_descriptor);
  auto type = direction == Direction::read ? asio::posix::descriptor_base::wait_read
                                           : asio::posix::descriptor_base::wait_write;
  auto [ec] = co_await descriptor_->async_wait(type, asio::as_tuple(asio::use_awaitable));
  // The watchdog shuts an expired socket down, which is what woke this wait.
  if (deadline_.expired()) co_return false;
  if (ec) throw boost::system::system_error(ec);
  co_return true;
}

}  // namespace payrollx::db
