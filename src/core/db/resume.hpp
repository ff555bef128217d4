#pragma once
// Private to core/db: a suspended coroutine's completion handler, type-erased so that whoever
// wakes it (a connection released by another coroutine, a pipelined result read by the pipeline's
// reader) can post it to the coroutine's executor. (Boost 1.81's any_completion_handler recurses
// when moved into a lambda, hence our own.)
#include <memory>
#include <utility>

namespace payrollx::db {

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

}  // namespace payrollx::db
