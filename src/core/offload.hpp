#pragma once
// CPU-heavy work (Argon2id hashing takes tens of milliseconds and 64 MiB) runs on a small pool of
// its own so that the io threads keep serving requests; the awaiting coroutine resumes on its own
// executor afterwards:  auto hash = co_await offload([&] { return hash_password(text); });
// Exceptions thrown by the work propagate to the awaiting coroutine.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

namespace payrollx {

// The process-wide offload pool (two threads: hashing cannot starve the io threads, and at most
// two Argon2id computations hold their memory at once).
boost::asio::thread_pool::executor_type offload_executor();

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> offload(F fn) {
  using T = std::invoke_result_t<F&>;
  // Named before co_spawn (a workaround for GCC 12 bug PR 107288).
  auto work = [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); };
  co_return co_await boost::asio::co_spawn(offload_executor(), std::move(work),
                                           boost::asio::use_awaitable);
}

}  // namespace payrollx
