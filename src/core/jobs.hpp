#pragma once
// Background jobs of every server instance (expired idempotency keys today, the payroll scheduler
// later): a job runs every `interval` on the server's io_context until stopped. A failed run is
// logged and the job tries again at its next tick; jobs must be safe to run in several instances
// at once (they coordinate through PostgreSQL, never through memory).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace payrollx {

class PeriodicJob {
 public:
  using Body = std::function<boost::asio::awaitable<void>()>;

  PeriodicJob(boost::asio::any_io_executor executor, std::string name,
              std::chrono::milliseconds interval, Body body);
  ~PeriodicJob();
  PeriodicJob(const PeriodicJob&) = delete;
  PeriodicJob& operator=(const PeriodicJob&) = delete;

  void start();
  // Cancels the wait for the next tick; a run in progress finishes on its own.
  void stop();

  struct State;  // defined in jobs.cpp

 private:
  std::shared_ptr<State> state_;
};

}  // namespace payrollx
