#pragma once
// A background job that works through whatever is due (reports to make, settlements to move),
// run when a committed transaction NOTIFYs its channel and every `poll` as a backstop (a
// notification only says "look now", and is lost while the listening connection is down). Runs
// never overlap: a wake-up during a run makes it run once more when it ends. The body should loop
// until nothing is due; a failure is logged and waits for the next wake-up or poll.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace payrollx {

class WokenJob {
 public:
  using Body = std::function<boost::asio::awaitable<void>()>;

  // `listen_conninfo` empty: no LISTEN, the poll alone. `channel` is a plain identifier.
  WokenJob(boost::asio::any_io_executor executor, std::string name, std::chrono::milliseconds poll,
           std::string listen_conninfo, std::string channel, Body body);
  ~WokenJob();
  WokenJob(const WokenJob&) = delete;
  WokenJob& operator=(const WokenJob&) = delete;

  // Runs once at once, then on every wake-up and poll.
  void start();
  // No more runs, nor another round of the one in flight.
  void stop();
  // After stop(): returns once the run in flight, if any, has ended, or after `timeout`. A
  // graceful shutdown awaits it before closing the pool, so that a run ends what it holds (the
  // leases it took) instead of leaving it to lapse.
  boost::asio::awaitable<void> drained(std::chrono::milliseconds timeout);

  struct State;  // defined in woken_job.cpp

 private:
  std::shared_ptr<State> state_;  // shared with the run in flight
};

}  // namespace payrollx
