#include "core/db/sleeper.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace payrollx::db {

namespace asio = boost::asio;

asio::awaitable<void> Sleeper::sleep(std::shared_ptr<Sleeper> sleeper, std::mutex& mutex,
                                     asio::any_io_executor fallback) {
  auto initiate = [sleeper, &mutex, &fallback](auto handler) {
    auto resume_on = asio::get_associated_executor(handler, fallback);
    std::lock_guard lock(mutex);
    sleeper->resume_on_ = resume_on;
    sleeper->resume_ = Resume::of(std::move(handler));
    if (sleeper->woken_) sleeper->wake_locked();
  };
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(initiate,
                                                                        asio::use_awaitable);
}

void Sleeper::wake_locked() {
  woken_ = true;
  if (resume_) asio::post(resume_on_, [handler = std::move(resume_)] { (*handler)(); });
}

}  // namespace payrollx::db
