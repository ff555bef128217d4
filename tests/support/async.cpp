#include "async.hpp"

namespace payrollx::test {

IoThreads::IoThreads(int threads)
    : context_(threads), work_(boost::asio::make_work_guard(context_)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { context_.run(); });
}

IoThreads::~IoThreads() {
  work_.reset();
  context_.stop();
  for (auto& thread : threads_) thread.join();
}

}  // namespace payrollx::test
