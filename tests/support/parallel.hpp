#pragma once
// Firing requests at once, for the concurrency tests: each on its own connection, released
// together by a latch.
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "http_client.hpp"

namespace payrollx::test {

// Runs `request(client, i)` for i in [0, n) at once against the server on `port`. No Catch2
// assertion runs off the main thread: a failed request answers status 0 with its message as body.
std::vector<HttpResponse> in_parallel(std::uint16_t port, int n,
                                      const std::function<HttpResponse(HttpClient&, int)>& request);

// How many responses had each status.
std::map<int, int> statuses(const std::vector<HttpResponse>& responses);

}  // namespace payrollx::test
