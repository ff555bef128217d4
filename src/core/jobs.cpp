#include "core/jobs.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "core/log.hpp"

namespace payrollx {

// Everything a job's coroutine touches lives here, on one strand: stop() and the loop never race.
struct PeriodicJob::State {
  State(boost::asio::any_io_executor executor, std::string name, std::chrono::milliseconds interval,
        Body body)
      : timer(boost::asio::make_strand(executor)),
        name(std::move(name)),
        interval(interval),
        body(std::move(body)) {}

  boost::asio::steady_timer timer;
  std::string name;
  std::chrono::milliseconds interval;
  Body body;
  bool stopped = false;
};

namespace {

// Owns the state while it runs, so a job stopped and destroyed mid-run ends cleanly.
boost::asio::awaitable<void> loop(std::shared_ptr<PeriodicJob::State> state) {
  while (!state->stopped) {
    state->timer.expires_after(state->interval);
    try {
      co_await state->timer.async_wait(boost::asio::use_awaitable);
    } catch (const boost::system::system_error&) {
      co_return;  // cancelled by stop()
    }
    if (state->stopped) co_return;
    try {
      co_await state->body();
    } catch (const std::exception& e) {
      log::error("job.failed", {{"job", state->name}, {"error", e.what()}});
    }
  }
}

}  // namespace

PeriodicJob::PeriodicJob(boost::asio::any_io_executor executor, std::string name,
                         std::chrono::milliseconds interval, Body body)
    : state_(std::make_shared<State>(std::move(executor), std::move(name), interval,
                                     std::move(body))) {}

PeriodicJob::~PeriodicJob() {
  stop();
}

void PeriodicJob::start() {
  auto run = loop(state_);
  boost::asio::co_spawn(state_->timer.get_executor(), std::move(run), boost::asio::detached);
}

void PeriodicJob::stop() {
  boost::asio::post(state_->timer.get_executor(), [state = state_] {
    state->stopped = true;
    state->timer.cancel();
  });
}

}  // namespace payrollx
