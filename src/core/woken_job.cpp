#include "core/woken_job.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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
      } while (again);
    } catch (...) {
      running = false;
      throw;
    }
    running = false;
  }

  // A run off the notification's callback; a failure waits for the next wake-up or poll.
  void run_soon() {
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
  state_->run_soon();
  state_->poller.start();
  if (state_->listener) state_->listener->start();
}

void WokenJob::stop() {
  state_->poller.stop();
  if (state_->listener) state_->listener->stop();
}

}  // namespace payrollx
