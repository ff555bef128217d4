#pragma once
// The outbox's SQL (schema notification only), as typed functions: deliveries, webhook endpoints
// and templates. Private to the notification module.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::db {
class Pool;
class Tx;
}  // namespace payrollx::db

namespace payrollx::notification::outbox_store {

enum class Channel { email, webhook };
enum class Status { pending, delivered, failed };
std::string_view to_string(Channel channel);
std::string_view to_string(Status status);

// A delivery claimed for one attempt, with what sending it needs.
struct Claimed {
  Uuid id;
  Uuid organization_id;
  Uuid event_id;
  std::string event_type;
  Channel channel = Channel::email;
  std::string payload;  // emails {to,toName,values}; webhooks the event's data
  int attempts = 0;     // this attempt included
  Timestamp created_at;
  // Webhooks: the endpoint (none when it was deleted since).
  std::optional<std::string> url;
  std::optional<std::string> secret;
  // Emails: the organisation's own template of the event, if it has one.
  std::optional<std::string> template_subject;
  std::optional<std::string> template_body;
};
// Up to `limit` due deliveries, oldest first, skipping rows other instances hold; each has its
// attempt counted and its next_attempt_at pushed `lease` ahead (one statement, committed).
// The organisation's deliveries wait until released (then the dispatchers are woken).
boost::asio::awaitable<void> set_held(db::Tx& tx, const Uuid& organization_id, bool held);

boost::asio::awaitable<std::vector<Claimed>> claim(db::Pool& pool, int limit,
                                                   std::chrono::seconds lease);

// Pushes a claimed delivery's lease `lease` ahead again; false when it is no longer this claim's
// (its lease ran out and another worker took it, or it was settled).
boost::asio::awaitable<bool> renew(db::Pool& pool, const Uuid& organization_id, const Uuid& id,
                                   int attempts, std::chrono::seconds lease);

struct Attempt {
  Uuid organization_id;
  Uuid id;
  int attempts = 0;  // the claim's count: a lease taken over by another instance is not touched
  std::optional<int> status_code;
  std::string error;  // empty when delivered
};
boost::asio::awaitable<void> mark_delivered(db::Pool& pool, const Attempt& attempt);
// PENDING again at `retry_at`, or FAILED when there is none.
boost::asio::awaitable<void> mark_failed(db::Pool& pool, const Attempt& attempt,
                                         std::optional<Timestamp> retry_at);

// The backlog for /metrics: pending deliveries by channel, those of fan-out records not expanded
// yet included.
struct Backlog {
  Channel channel = Channel::email;
  Status status = Status::pending;
  std::int64_t count = 0;
};
boost::asio::awaitable<std::vector<Backlog>> backlog(db::Pool& pool);

// --- webhook endpoints
struct Endpoint {
  Uuid id;
  std::string url;
  std::vector<std::string> events;
  Timestamp created_at;
};
boost::asio::awaitable<Endpoint> insert_endpoint(db::Pool& pool, const Uuid& organization_id,
                                                 const std::string& url,
                                                 const std::vector<std::string>& events,
                                                 const std::string& secret, const Uuid& created_by);
// Newest first, limit + 1 rows after the keyset.
boost::asio::awaitable<std::vector<Endpoint>> list_endpoints(db::Pool& pool,
                                                             const Uuid& organization_id,
                                                             const http::PageRequest& page);
boost::asio::awaitable<std::optional<Endpoint>> endpoint(db::Pool& pool,
                                                         const Uuid& organization_id,
                                                         const Uuid& id);
// False when there is no such live endpoint.
boost::asio::awaitable<bool> delete_endpoint(db::Pool& pool, const Uuid& organization_id,
                                             const Uuid& id);

struct Delivery {
  Uuid id;
  Uuid event_id;
  std::string event_type;
  Status status = Status::pending;
  int attempts = 0;
  std::optional<int> last_status_code;
  std::optional<std::string> last_error;
  std::optional<Timestamp> next_attempt_at;  // PENDING only
  std::optional<Timestamp> delivered_at;
  Timestamp created_at;
};
boost::asio::awaitable<std::vector<Delivery>> list_deliveries(db::Pool& pool,
                                                              const Uuid& organization_id,
                                                              const Uuid& endpoint_id,
                                                              const http::PageRequest& page);
// The endpoint's delivery, PENDING again with its attempts reset, when it was FAILED.
struct Redelivered {
  std::optional<Delivery> delivery;  // none: no such delivery of the endpoint
  bool was_failed = false;
};
boost::asio::awaitable<Redelivered> redeliver(db::Pool& pool, const Uuid& organization_id,
                                              const Uuid& endpoint_id, const Uuid& delivery_id);

// --- templates
struct StoredTemplate {
  std::string event_type;
  std::string subject;
  std::string body;
};
boost::asio::awaitable<std::optional<StoredTemplate>> template_of(db::Pool& pool,
                                                                  const Uuid& organization_id,
                                                                  std::string_view event_type);
boost::asio::awaitable<void> put_template(db::Pool& pool, const Uuid& organization_id,
                                          const StoredTemplate& stored, const Uuid& updated_by);
// False when the organisation had no template of that event.
boost::asio::awaitable<bool> delete_template(db::Pool& pool, const Uuid& organization_id,
                                             std::string_view event_type);

}  // namespace payrollx::notification::outbox_store
