#include "core/db/socket_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/use_awaitable.hpp>

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
  fd_ = fd;
  deadline_.guard(fd);
  if (fd >= 0) descriptor_.emplace(executor_, fd);
}

void SocketWatch::release() {
  if (descriptor_) descriptor_->release();
  descriptor_.reset();
  fd_ = -1;
}

void SocketWatch::move_to(asio::any_io_executor executor) {
  executor_ = std::move(executor);
  context_ = context_of(executor_);
  if (!descriptor_) return;
  descriptor_->release();
  descriptor_.emplace(executor_, fd_);
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
