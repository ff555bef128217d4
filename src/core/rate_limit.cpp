#include "core/rate_limit.hpp"

#include <algorithm>
#include <stdexcept>

namespace payrollx {

namespace {
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}
}  // namespace

RateLimiter::RateLimiter(int limit, std::chrono::seconds window, std::size_t max_keys)
    : limit_(limit),
      window_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(window).count()),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {
  if (limit < 1) throw std::invalid_argument("rate limit must be at least 1");
  if (window_ms_ < 1000) throw std::invalid_argument("rate limit window must be at least 1 s");
}

std::optional<std::chrono::seconds> RateLimiter::attempt(std::string_view key,
                                                         Clock::time_point now) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto window = floor_div(ms, window_ms_);
  const auto elapsed = ms - window * window_ms_;

  std::lock_guard lock(mutex_);
  auto& entry = entry_for(key);
  if (entry.window != window) {
    entry.previous = entry.window == window - 1 ? entry.current : 0;
    entry.current = 0;
    entry.window = window;
  }
  // Integer form of previous * (W - elapsed) / W + current + 1 <= limit.
  if (entry.previous * (window_ms_ - elapsed) + (entry.current + 1) * window_ms_ <=
      limit_ * window_ms_) {
    ++entry.current;
    return std::nullopt;
  }
  auto wait = std::chrono::ceil<std::chrono::seconds>(wait_time(entry, elapsed));
  return std::max(wait, std::chrono::seconds(1));
}

// The first instant at which the estimate admits one more attempt, as a duration from now.
std::chrono::milliseconds RateLimiter::wait_time(const Entry& entry, std::int64_t elapsed) const {
  if (entry.current + 1 <= limit_) {
    // Still in this window, once the previous window's weighted share has shrunk enough:
    // previous * (W - t) <= (limit - current - 1) * W. previous > 0 here (else it was allowed).
    auto at = window_ms_ - (limit_ - entry.current - 1) * window_ms_ / entry.previous;
    return std::chrono::milliseconds(at - elapsed);
  }
  // In the next window, where this window's count becomes the previous one:
  // current * (W - t) + W <= limit * W.
  auto at = window_ms_ - (limit_ - 1) * window_ms_ / entry.current;
  return std::chrono::milliseconds(window_ms_ - elapsed + at);
}

RateLimiter::Entry& RateLimiter::entry_for(std::string_view key) {
  if (auto found = index_.find(key); found != index_.end()) {
    entries_.splice(entries_.begin(), entries_, found->second);
    return entries_.front();
  }
  if (entries_.size() >= max_keys_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  entries_.push_front(Entry{.key = std::string(key)});
  index_.emplace(entries_.front().key, entries_.begin());
  return entries_.front();
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace payrollx
