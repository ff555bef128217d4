#include "core/woken_job.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "core/db/listener.hpp"
#include "core/jobs.hpp"
#include "core/log.hpp"

namespace payrollx {

struct WokenJob::State : std::enable_shared_from_this<WokenJob::State> {
  State(boost::asio::any_io_executor executor, std::string name, std::chrono::milliseconds poll,
        Body body)
      : executor(executor),
        name(std::move(name)),
        body(std::move(body)),
        poller(executor, this->name, poll, [this] { return run(); }) {}

  // The body, and again while wake-ups came during it.
  boost::asio::awaitable<void> run() {
    if (running) {
      again = true;
      co_return;
    }
    running = true;
    try {
      do {
        again = false;
        co_await body();
      } while (again && !stopped);
    } catch (...) {
      running = false;
      throw;
    }
    running = false;
  }

  // A run off the notification's callback; a failure waits for the next wake-up or poll.
  void run_soon() {
    if (stopped) return;
    auto self = shared_from_this();
    auto detached_run = [self]() -> boost::asio::awaitable<void> {
      try {
        co_await self->run();
      } catch (const std::exception& e) {
        log::warn("job.failed", {{"job", self->name}, {"error", e.what()}});
      }
    };
    boost::asio::co_spawn(executor, std::move(detached_run), boost::asio::detached);
  }

  boost::asio::any_io_executor executor;
  std::string name;
  Body body;
  PeriodicJob poller;
  std::unique_ptr<db::Listener> listener;
  bool running = false;
  bool again = false;
  bool stopped = false;
};

WokenJob::WokenJob(boost::asio::any_io_executor executor, std::string name,
                   std::chrono::milliseconds poll, std::string listen_conninfo, std::string channel,
                   Body body)
    : state_(std::make_shared<State>(executor, std::move(name), poll, std::move(body))) {
  if (listen_conninfo.empty()) return;
  std::weak_ptr<State> weak = state_;
  state_->listener = std::make_unique<db::Listener>(executor, std::move(listen_conninfo),
                                                    std::move(channel), [weak] {
                                                      if (auto state = weak.lock())
                                                        state->run_soon();
                                                    });
}

WokenJob::~WokenJob() {
  stop();
}

void WokenJob::start() {
  state_->stopped = false;
  state_->run_soon();
  state_->poller.start();
  if (state_->listener) state_->listener->start();
}

void WokenJob::stop() {
  state_->stopped = true;
  state_->poller.stop();
  if (state_->listener) state_->listener->stop();
}

boost::asio::awaitable<void> WokenJob::drained(std::chrono::milliseconds timeout) {
  // Polled: a run has no completion to wait on, and this happens once, at shutdown.
  constexpr std::chrono::milliseconds k_look_every{20};
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (state_->running && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(k_look_every);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  if (state_->running) log::warn("job.still_running_at_shutdown", {{"job", state_->name}});
}

}  // namespace payrollx
