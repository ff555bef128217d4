#include "core/backoff.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>

namespace payrollx {

std::chrono::milliseconds backoff_with_jitter(std::chrono::milliseconds base, int attempt,
                                              std::chrono::milliseconds cap) {
  auto delay = base;
  for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  const auto half = delay.count() / 2;
  const auto spread = static_cast<std::uint32_t>(std::min<std::int64_t>(half, UINT32_MAX - 1));
  return std::chrono::milliseconds(half + randombytes_uniform(spread + 1));
}

}  // namespace payrollx
