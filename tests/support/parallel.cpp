#include "parallel.hpp"

#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>

namespace payrollx::test {

std::vector<HttpResponse> in_parallel(
    std::uint16_t port, int n, const std::function<HttpResponse(HttpClient&, int)>& request) {
  std::vector<HttpResponse> responses(static_cast<std::size_t>(n));
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      auto& response = responses[static_cast<std::size_t>(i)];
      std::unique_ptr<HttpClient> client;
      try {
        client = std::make_unique<HttpClient>(port);
      } catch (const std::exception& e) {
        response.body = e.what();
      }
      start.arrive_and_wait();
      if (!client) return;
      try {
        response = request(*client, i);
      } catch (const std::exception& e) {
        response.body = e.what();
      }
    });
  for (auto& thread : threads) thread.join();
  return responses;
}

std::map<int, int> statuses(const std::vector<HttpResponse>& responses) {
  std::map<int, int> counts;
  for (const auto& response : responses) ++counts[response.status];
  return counts;
}

}  // namespace payrollx::test
