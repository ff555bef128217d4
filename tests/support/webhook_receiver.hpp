#pragma once
// A webhook endpoint for tests: a Beast HTTP server on a free loopback port, on its own thread,
// that records every request and answers from a script.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"

namespace payrollx::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

struct ReceiverScript {
  std::vector<int> statuses;  // the answers' statuses in turn, then 200; a 3xx has a Location
  std::chrono::milliseconds delay{0};  // before each answer
  std::size_t answer_bytes = 0;        // the size of each answer's body
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(ReceiverScript script = {});
  // Stops at once, whatever answer is still waiting for its delay.
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port><path>".
  std::string url(std::string_view path = "/hook") const;
  // Every request read so far (recorded before its answer's delay), oldest first.
  std::vector<ReceivedRequest> requests() const;
  // TCP connections accepted so far, whether or not a request came on them.
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace payrollx::test
