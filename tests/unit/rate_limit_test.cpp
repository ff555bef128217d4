#include "core/rate_limit.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using payrollx::RateLimiter;
using namespace std::chrono_literals;

namespace {
// An instant `offset` into fixed window number `window` (windows are aligned to the clock's
// epoch, so tests choose where inside a window they are).
RateLimiter::Clock::time_point at(int window, std::chrono::milliseconds offset) {
  return RateLimiter::Clock::time_point(window * std::chrono::milliseconds(60s) + offset);
}
}  // namespace

TEST_CASE("auth: rate limiter allows the limit, then refuses with the time to wait", "[unit]") {
  RateLimiter limiter(3, 60s);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.attempt("ip", at(10, 10s)));
  auto refused = limiter.attempt("ip", at(10, 10s));
  REQUIRE(refused);
  // The next window starts in 50 s, where the 3 attempts still weigh 3 * (60 - t) / 60: one
  // more fits once that is at most 2, at t = 20 s.
  CHECK(*refused == 70s);
  CHECK(limiter.attempt("ip", at(11, 19'999ms)));
  CHECK_FALSE(limiter.attempt("ip", at(11, 20s)));
}

TEST_CASE("auth: rate limiter refusals are not counted", "[unit]") {
  RateLimiter limiter(2, 60s);
  CHECK_FALSE(limiter.attempt("k", at(5, 0s)));
  CHECK_FALSE(limiter.attempt("k", at(5, 0s)));
  for (int i = 0; i < 10; ++i) CHECK(limiter.attempt("k", at(5, 30s)));
  // Two windows later nothing of the past weighs any more.
  CHECK_FALSE(limiter.attempt("k", at(7, 0s)));
  CHECK_FALSE(limiter.attempt("k", at(7, 0s)));
  CHECK(limiter.attempt("k", at(7, 0s)));
}

TEST_CASE("auth: rate limiter slides: the previous window's share shrinks over time", "[unit]") {
  RateLimiter limiter(3, 60s);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.attempt("k", at(1, 59s)));
  // At 20 s into the next window the previous 3 weigh 3 * 40 / 60 = 2: one attempt fits.
  CHECK_FALSE(limiter.attempt("k", at(2, 20s)));
  auto refused = limiter.attempt("k", at(2, 20s));
  REQUIRE(refused);
  // 3 * (60 - t) / 60 + 1 + 1 <= 3 holds from t = 40 s.
  CHECK(*refused == 20s);
  CHECK_FALSE(limiter.attempt("k", at(2, 40s)));
}

TEST_CASE("auth: rate limiter rounds the wait up to whole seconds, at least one", "[unit]") {
  RateLimiter limiter(1, 60s);
  CHECK_FALSE(limiter.attempt("k", at(3, 59'500ms)));
  // Next window: 1 * (60 - t) / 60 + 1 <= 1 only at t = 60 s, i.e. 60.5 s from now.
  CHECK(limiter.attempt("k", at(3, 59'500ms)) == 61s);
}

TEST_CASE("auth: rate limiter keys are independent", "[unit]") {
  RateLimiter limiter(1, 60s);
  CHECK_FALSE(limiter.attempt("a", at(1, 0s)));
  CHECK(limiter.attempt("a", at(1, 1s)));
  CHECK_FALSE(limiter.attempt("b", at(1, 1s)));
}

TEST_CASE("auth: rate limiter memory is bounded by forgetting the least recently used key",
          "[unit]") {
  RateLimiter limiter(1, 60s, 3);
  CHECK_FALSE(limiter.attempt("a", at(1, 0s)));
  CHECK_FALSE(limiter.attempt("b", at(1, 0s)));
  CHECK_FALSE(limiter.attempt("c", at(1, 0s)));
  CHECK(limiter.attempt("a", at(1, 1s)));  // touches a: b is now the oldest
  CHECK_FALSE(limiter.attempt("d", at(1, 1s)));
  CHECK(limiter.size() == 3);
  CHECK(limiter.attempt("a", at(1, 2s)));        // still tracked
  CHECK_FALSE(limiter.attempt("b", at(1, 2s)));  // forgotten, so allowed again
}

TEST_CASE("auth: rate limiter counts exactly under concurrent attempts", "[unit]") {
  RateLimiter limiter(100, 60s);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (!limiter.attempt("shared", at(4, 1s))) ++allowed;
    });
  for (auto& thread : threads) thread.join();
  CHECK(allowed == 100);
}

TEST_CASE("auth: rate limiter refuses a nonsensical configuration", "[unit]") {
  CHECK_THROWS_AS(RateLimiter(0, 60s), std::invalid_argument);
  CHECK_THROWS_AS(RateLimiter(5, 0s), std::invalid_argument);
}
