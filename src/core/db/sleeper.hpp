#pragma once
// Private to core/db: a coroutine that sleeps until another one, on any thread, wakes it (a
// connection released to a waiter of the pool, a pipelined answer read by the pipeline's reader).
// Both sides hold the owner's mutex; a sleeper may be woken before it has suspended, and then does
// not suspend at all.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <utility>

namespace payrollx::db {

// A suspended coroutine's completion handler, type-erased so that a waker can post it. (Boost
// 1.81's any_completion_handler recurses when moved into a lambda, hence our own.)
class Resume {
 public:
  virtual ~Resume() = default;
  virtual void operator()() = 0;

  template <class Handler>
  static std::unique_ptr<Resume> of(Handler handler) {
    struct Stored final : Resume {
      explicit Stored(Handler h) : handler(std::move(h)) {}
      void operator()() override { std::move(handler)(); }
      Handler handler;
    };
    return std::make_unique<Stored>(std::move(handler));
  }
};

// The state a waker and its sleeper share; the owner's records (a pool waiter, a pipeline slot)
// derive from it and live in a shared_ptr.
class Sleeper {
 public:
  // Suspends the calling coroutine until wake_locked. It resumes on its own executor (a strand,
  // for a background job), or on `fallback` when it has none, never on the waker's thread.
  static boost::asio::awaitable<void> sleep(std::shared_ptr<Sleeper> sleeper, std::mutex& mutex,
                                            boost::asio::any_io_executor fallback);
  // Under the owner's mutex: posts the coroutine to its executor once it has suspended.
  void wake_locked();
  bool woken() const { return woken_; }
  // Drops the suspended coroutine without resuming it, when its io_context is gone: the stored
  // handler would otherwise keep this record, and so itself, alive.
  void forget() { resume_.reset(); }

 private:
  std::unique_ptr<Resume> resume_;  // once the coroutine has suspended
  boost::asio::any_io_executor resume_on_;
  bool woken_ = false;
};

}  // namespace payrollx::db
