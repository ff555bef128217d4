#pragma once
// An in-memory sliding-window limiter (login and signup throttling). Each key keeps two counters,
// the current and the previous fixed window; an attempt is allowed while
//   previous * (time left of the current window / window) + current + 1 <= limit,
// the classic sliding-window-counter estimate: O(1) memory per key, and a bounded number of keys
// (the least recently used key is forgotten first). The state is per process: several instances
// behind a load balancer each enforce the limit (the database-backed lockout is the shared guard).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace payrollx {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(int limit, std::chrono::seconds window, std::size_t max_keys = 100'000);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one attempt for `key` when it is allowed and answers nullopt; a refused attempt is not
  // counted and answers how long to wait until one would be allowed (whole seconds, at least 1).
  // Thread-safe.
  std::optional<std::chrono::seconds> attempt(std::string_view key,
                                              Clock::time_point now = Clock::now());

  std::size_t size() const;  // keys currently tracked

 private:
  struct Entry {
    std::string key;
    std::int64_t window = 0;  // index of the current fixed window
    std::int64_t current = 0;
    std::int64_t previous = 0;
  };
  using Entries = std::list<Entry>;  // most recently used first

  Entry& entry_for(std::string_view key);
  std::chrono::milliseconds wait_time(const Entry& entry, std::int64_t elapsed_ms) const;

  const std::int64_t limit_;
  const std::int64_t window_ms_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;
  Entries entries_;
  std::unordered_map<std::string_view, Entries::iterator> index_;  // views into entries_' keys
};

}  // namespace payrollx
