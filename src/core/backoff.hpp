#pragma once
// The delay before a retry: `base` × 2^(attempt−1), at most `cap`, then a uniformly random part of
// it between a half and all of it, so that retries of many things that failed together (every
// delivery to a relay that was down, every settlement during an RPC outage) spread out instead of
// stampeding.
#include <chrono>

namespace payrollx {

std::chrono::milliseconds backoff_with_jitter(std::chrono::milliseconds base, int attempt,
                                              std::chrono::milliseconds cap);

}  // namespace payrollx
