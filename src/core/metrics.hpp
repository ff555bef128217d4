#pragma once
// Prometheus metrics of the process (prometheus-cpp's core registry and text serializer; the
// server's own /metrics route exposes them).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace payrollx {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // `route` is the matched pattern ("/api/v1/users/{id}"), never the raw path.
  void observe_request(std::string_view method, std::string_view route, int status, double seconds);
  void observe_query(std::string_view name, double seconds);
  void observe_acquire(double seconds);
  void count_transaction_retry();
  // A CHECK constraint refused a write: a bug that reached the database's last line of defence.
  void count_invariant_violation(std::string_view constraint);
  void set_pool(int size, int in_use, int waiting);
  // The outbox: deliveries waiting to be sent by channel, and each attempt's outcome
  // ("delivered", "retry", "failed") with the time from the delivery's creation.
  void set_outbox_backlog(std::string_view channel, std::int64_t pending);
  void observe_delivery(std::string_view channel, std::string_view outcome, double seconds);

  std::string render() const;  // text exposition format 0.0.4

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace payrollx
