#include "core/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <shared_mutex>
#include <unordered_map>

namespace payrollx {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Seconds; from a cached answer to a slow report.
const Histogram::BucketBoundaries k_latency_buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

// Seconds from a delivery's creation to an attempt: sub-second when all is well, hours for
// retries.
const Histogram::BucketBoundaries k_delivery_buckets{0.1, 0.25, 0.5, 1,   2.5,  5,    10,
                                                     30,  60,   300, 900, 3600, 14400};

// A request series' labels. The index is searched with views of them, so the lookup on every
// request allocates nothing.
struct RequestLabels {
  std::string_view method;
  std::string_view route;
  int status;
  bool operator==(const RequestLabels&) const = default;
};

struct RequestKey {
  std::string method;
  std::string route;
  int status;
  RequestLabels labels() const { return {method, route, status}; }
};

struct RequestKeyHash {
  using is_transparent = void;
  std::size_t operator()(const RequestLabels& labels) const {
    auto hash = std::hash<std::string_view>()(labels.method);
    hash = hash * 31 + std::hash<std::string_view>()(labels.route);
    return hash * 31 + static_cast<std::size_t>(labels.status);
  }
  std::size_t operator()(const RequestKey& key) const { return (*this)(key.labels()); }
};

struct RequestKeyEqual {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a) == view(b);
  }
  static RequestLabels view(const RequestLabels& labels) { return labels; }
  static RequestLabels view(const RequestKey& key) { return key.labels(); }
};

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  Family<Counter>& requests = prometheus::BuildCounter()
                                  .Name("payrollx_http_requests_total")
                                  .Help("HTTP requests answered, by route pattern and status code")
                                  .Register(*registry);
  Family<Histogram>& request_seconds =
      prometheus::BuildHistogram()
          .Name("payrollx_http_request_duration_seconds")
          .Help("Time from a parsed request to its response, by route pattern and status code")
          .Register(*registry);
  Family<Gauge>& pool_connections =
      prometheus::BuildGauge()
          .Name("payrollx_db_pool_connections")
          .Help("Database pool connections: open, in use, and coroutines waiting for one")
          .Register(*registry);
  Family<Histogram>& acquire_seconds = prometheus::BuildHistogram()
                                           .Name("payrollx_db_pool_acquire_seconds")
                                           .Help("Time to check a connection out of the pool")
                                           .Register(*registry);
  Family<Histogram>& query_seconds = prometheus::BuildHistogram()
                                         .Name("payrollx_db_query_duration_seconds")
                                         .Help("Database statement latency, by query name")
                                         .Register(*registry);
  Family<Counter>& retries = prometheus::BuildCounter()
                                 .Name("payrollx_db_transaction_retries_total")
                                 .Help(
                                     "Transactions rerun after a serialization failure or a "
                                     "deadlock")
                                 .Register(*registry);
  Family<Counter>& invariant_violations =
      prometheus::BuildCounter()
          .Name("payrollx_invariant_violations_total")
          .Help("Database constraints that refused a write the code should never have made")
          .Register(*registry);
  Family<Gauge>& outbox_backlog = prometheus::BuildGauge()
                                      .Name("payrollx_outbox_backlog")
                                      .Help("Outbox deliveries waiting to be sent, by channel")
                                      .Register(*registry);
  Family<Histogram>& delivery_seconds =
      prometheus::BuildHistogram()
          .Name("payrollx_outbox_delivery_seconds")
          .Help("From a delivery's creation to an attempt's end, by channel and outcome")
          .Register(*registry);
  Family<Gauge>& build_info = prometheus::BuildGauge()
                                  .Name("payrollx_build_info")
                                  .Help("Always 1; the labels describe the running build")
                                  .Register(*registry);

  Gauge& pool_open = pool_connections.Add({{"state", "open"}});
  Gauge& pool_in_use = pool_connections.Add({{"state", "in_use"}});
  Gauge& pool_waiting = pool_connections.Add({{"state", "waiting"}});
  Histogram& acquire = acquire_seconds.Add({}, k_latency_buckets);
  Counter& retry_count = retries.Add({});

  // Every request observes two series; looking them up by label set in the families costs a
  // map of strings and two locks, so the hot path keeps its own index.
  struct RequestSeries {
    Counter* count;
    Histogram* seconds;
  };
  std::shared_mutex request_index_mutex;
  std::unordered_map<RequestKey, RequestSeries, RequestKeyHash, RequestKeyEqual> request_index;

  std::shared_mutex query_index_mutex;
  std::unordered_map<std::string, Histogram*> query_index;

  Impl() { build_info.Add({{"version", PAYROLLX_VERSION}}).Set(1); }

  RequestSeries request_series(std::string_view method, std::string_view route, int status) {
    RequestLabels wanted{method, route, status};
    {
      std::shared_lock lock(request_index_mutex);
      if (auto it = request_index.find(wanted); it != request_index.end()) return it->second;
    }
    std::map<std::string, std::string> labels{{"method", std::string(method)},
                                              {"route", std::string(route)},
                                              {"status", std::to_string(status)}};
    std::unique_lock lock(request_index_mutex);
    // Family::Add returns the existing series for known labels, so a racing insert is harmless.
    RequestSeries series{&requests.Add(labels), &request_seconds.Add(labels, k_latency_buckets)};
    request_index.emplace(RequestKey{std::string(method), std::string(route), status}, series);
    return series;
  }

  Histogram& query_series(std::string_view name) {
    std::string key(name);
    {
      std::shared_lock lock(query_index_mutex);
      if (auto it = query_index.find(key); it != query_index.end()) return *it->second;
    }
    std::unique_lock lock(query_index_mutex);
    auto& series = query_seconds.Add({{"query", key}}, k_latency_buckets);
    query_index.emplace(std::move(key), &series);
    return series;
  }
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::observe_request(std::string_view method, std::string_view route, int status,
                              double seconds) {
  auto series = impl_->request_series(method, route, status);
  series.count->Increment();
  series.seconds->Observe(seconds);
}

void Metrics::observe_query(std::string_view name, double seconds) {
  impl_->query_series(name).Observe(seconds);
}

void Metrics::observe_acquire(double seconds) {
  impl_->acquire.Observe(seconds);
}

void Metrics::count_transaction_retry() {
  impl_->retry_count.Increment();
}

void Metrics::count_invariant_violation(std::string_view constraint) {
  // Constraint names come from our own schema: a bounded set of labels.
  impl_->invariant_violations.Add({{"constraint", std::string(constraint)}}).Increment();
}

void Metrics::set_outbox_backlog(std::string_view channel, std::int64_t pending) {
  impl_->outbox_backlog.Add({{"channel", std::string(channel)}}).Set(static_cast<double>(pending));
}

void Metrics::observe_delivery(std::string_view channel, std::string_view outcome, double seconds) {
  // A handful of label sets (channels times outcomes): Family::Add finds them by map lookup.
  impl_->delivery_seconds
      .Add({{"channel", std::string(channel)}, {"outcome", std::string(outcome)}},
           k_delivery_buckets)
      .Observe(seconds);
}

void Metrics::set_pool(int size, int in_use, int waiting) {
  impl_->pool_open.Set(size);
  impl_->pool_in_use.Set(in_use);
  impl_->pool_waiting.Set(waiting);
}

std::string Metrics::render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace payrollx
