#pragma once
// Waiting in a test for what another thread or process does in its own time: polls `condition`
// every `step` until it holds or `timeout` passes; answers whether it held.
#include <chrono>
#include <thread>

namespace payrollx::test {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  for (auto until = std::chrono::steady_clock::now() + timeout; !condition();) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(step);
  }
  return true;
}

}  // namespace payrollx::test
