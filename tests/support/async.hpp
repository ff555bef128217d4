#pragma once
// Runs coroutines from a (blocking) test on an io_context served by several threads, as the
// server runs them: the pool under test sees the same concurrency as in production.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>
#include <type_traits>
#include <vector>

namespace payrollx::test {

class IoThreads {
 public:
  explicit IoThreads(int threads = 2);
  // Stops the io_context and joins its threads: declare it before the objects that use it.
  ~IoThreads();
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  boost::asio::any_io_executor executor() { return context_.get_executor(); }

  // Starts the coroutine `fn()`; the future holds its result or its exception. co_spawn keeps
  // `fn` (a coroutine lambda, captures included) alive until the coroutine ends.
  template <class F>
  auto spawn(F fn) -> std::future<typename std::invoke_result_t<F&>::value_type> {
    return boost::asio::co_spawn(context_, std::move(fn), boost::asio::use_future);
  }
  // Runs the coroutine `fn()` to completion: its result, or its exception rethrown.
  template <class F>
  auto run(F fn) -> typename std::invoke_result_t<F&>::value_type {
    return spawn(std::move(fn)).get();
  }

 private:
  boost::asio::io_context context_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
};

}  // namespace payrollx::test
