#pragma once
// What queues deliveries (schema notification only), as typed functions: delivery rows written
// at once, fan-out records (sql/notification/0007_fanouts.sql) and what expanding one reads.
// Every write here wakes the dispatchers at commit. Private to the notification module.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/notification/outbox_store.hpp"

namespace payrollx::db {
class Pool;
class Tx;
}  // namespace payrollx::db

namespace payrollx::notification::queue_store {

// A webhook event, with its id: every endpoint's delivery of it carries the same id.
struct QueuedEvent {
  Uuid id;
  std::string event_type;
  std::string data;  // JSON: the body's "data"
};
// A live endpoint of the organisation and the event types it takes ("*" for all).
struct LiveEndpoint {
  Uuid id;
  std::vector<std::string> events;
};
boost::asio::awaitable<std::vector<LiveEndpoint>> live_endpoints(db::Tx& tx,
                                                                 const Uuid& organization_id);
// A delivery per (event, endpoint among `endpoint_ids` that takes it); one that exists already
// (its id is made of those three) is left as it is. `created_at`: the events' time (none: now).
boost::asio::awaitable<void> insert_webhook_deliveries(db::Tx& tx, const Uuid& organization_id,
                                                       const std::vector<QueuedEvent>& events,
                                                       const std::vector<Uuid>& endpoint_ids,
                                                       const std::optional<Timestamp>& created_at);

// An email of one inbox notice (its event) to its recipient.
struct QueuedEmail {
  Uuid notice_id;
  std::string event_type;
  Uuid recipient_id;
  std::string payload;  // {to,toName,values}
};
// Each email, unless it exists already (its id is made of its event and recipient). `created_at`:
// the notices' time (none: now).
boost::asio::awaitable<void> insert_emails(db::Tx& tx, const Uuid& organization_id,
                                           const std::vector<QueuedEmail>& emails,
                                           const std::optional<Timestamp>& created_at);

// --- fan-out records
// The emails of the inbox notices `notice_ids`, with what only each email may show (JSON, ''
// for nothing).
boost::asio::awaitable<void> insert_email_fanout(db::Tx& tx, const Uuid& organization_id,
                                                 const std::vector<Uuid>& notice_ids,
                                                 const std::vector<std::string>& email_only);
// The deliveries of `events` to those of `endpoint_ids` that take them.
boost::asio::awaitable<void> insert_webhook_fanout(db::Tx& tx, const Uuid& organization_id,
                                                   const std::vector<QueuedEvent>& events,
                                                   const std::vector<Uuid>& endpoint_ids);

struct Fanout {
  Uuid organization_id;
  Uuid id;
  outbox_store::Channel channel = outbox_store::Channel::email;
  Timestamp created_at;
};
// The oldest record no other transaction holds, locked until the end of `tx`: webhook records
// only, unless `emails` (this instance can address them).
boost::asio::awaitable<std::optional<Fanout>> claim_fanout(db::Tx& tx, bool emails);
// Every webhook record of the organisation, locked until the end of `tx` (waiting for those that
// another transaction is expanding: they are gone once it commits).
boost::asio::awaitable<std::vector<Fanout>> lock_webhook_fanouts(db::Tx& tx,
                                                                 const Uuid& organization_id);
// Whether the organisation has webhook records not expanded yet (one indexed read).
boost::asio::awaitable<bool> has_webhook_fanouts(db::Pool& pool, const Uuid& organization_id);

// An inbox notice of an email record, as it was written.
struct RecordedNotice {
  Uuid id;
  Uuid user_id;
  std::string event_type;
  boost::json::value data;
  std::string email_only;  // JSON, '' for nothing
};
boost::asio::awaitable<std::vector<RecordedNotice>> fanout_notices(db::Tx& tx,
                                                                   const Fanout& fanout);
struct RecordedEvents {
  std::vector<QueuedEvent> events;
  std::vector<Uuid> endpoint_ids;
};
boost::asio::awaitable<RecordedEvents> fanout_events(db::Tx& tx, const Fanout& fanout);
boost::asio::awaitable<void> delete_fanout(db::Tx& tx, const Fanout& fanout);

}  // namespace payrollx::notification::queue_store
