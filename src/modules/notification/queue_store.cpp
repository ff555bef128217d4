#include "modules/notification/queue_store.hpp"

#include "core/db/pool.hpp"

namespace payrollx::notification::queue_store {
namespace {

using boost::asio::awaitable;
using outbox_store::Channel;

// Every write that queues ends with this: the dispatchers LISTENing are woken when (and only
// when) the transaction commits.
#define PAYROLLX_WAKE_DISPATCHERS \
  " SELECT pg_notify('payrollx_outbox', '') FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row"

// A delivery's id is a function of its (channel, event, recipient or endpoint): the primary key
// then refuses a second delivery of the same, so an expansion repeated (two instances, a retry
// after a lost answer to COMMIT) cannot double one, and no index of its own is kept up for it.
// An RFC 9562 version 8 UUID (its 122 free bits from MD5: a name, not a secret).
#define PAYROLLX_DELIVERY_ID(channel, event, target)                            \
  "overlay(overlay(md5(" channel " || ':' || " event "::text || ':' || " target \
  "::text)"                                                                     \
  " placing '8' from 13 for 1) placing '8' from 17 for 1)::uuid"

constexpr db::Query k_live_endpoints{"notification.live_endpoints",
                                     "SELECT id, events FROM notification.webhook_endpoints "
                                     "WHERE organization_id = $1 AND deleted_at IS NULL"};

// $1 organization_id, $2 event id[], $3 event_type[], $4 data[] (json text), $5 endpoint id[],
// $6 the events' time or NULL (now).
constexpr db::Query k_insert_webhook_deliveries{
    "notification.insert_webhook_deliveries",
    "WITH inserted AS ("
    "  INSERT INTO notification.deliveries (id, organization_id, event_id, event_type, channel,"
    "    endpoint_id, payload, created_at)"
    "  SELECT " PAYROLLX_DELIVERY_ID("'WEBHOOK'", "event.id", "e.id") ", $1, event.id, event.type,"
    "    'WEBHOOK', e.id, event.data,"
    "    coalesce($6::timestamptz, now())"
    "  FROM unnest($2::uuid[], $3::text[], $4::text[]) AS event(id, type, data)"
    "  JOIN notification.webhook_endpoints e ON e.organization_id = $1 AND e.id = ANY ($5::uuid[])"
    "    AND (event.type = ANY (e.events) OR '*' = ANY (e.events))"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING 1)" PAYROLLX_WAKE_DISPATCHERS};

// $1 organization_id, $2 notice id[], $3 event_type[], $4 recipient id[], $5 payload[], $6 the
// notices' time or NULL (now).
constexpr db::Query k_insert_emails{
    "notification.insert_emails",
    "WITH inserted AS ("
    "  INSERT INTO notification.deliveries (id, organization_id, event_id, event_type, channel,"
    "    recipient_id, payload, created_at)"
    "  SELECT " PAYROLLX_DELIVERY_ID("'EMAIL'", "email.id", "email.recipient") ", $1, email.id,"
    "    email.type, 'EMAIL', email.recipient,"
    "    email.payload, coalesce($6::timestamptz, now())"
    "  FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[])"
    "    AS email(id, type, recipient, payload)"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING 1)" PAYROLLX_WAKE_DISPATCHERS};

// $1 organization_id, $2 id, $3 channel, $4 event id[], $5 event_type[] or NULL, $6 payload[],
// $7 endpoint id[] or NULL.
constexpr db::Query k_insert_fanout{
    "notification.insert_fanout",
    "WITH inserted AS ("
    "  INSERT INTO notification.fanouts (organization_id, id, channel, event_ids, event_types,"
    "    payloads, endpoint_ids) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    "  RETURNING 1)" PAYROLLX_WAKE_DISPATCHERS};

#undef PAYROLLX_DELIVERY_ID
#undef PAYROLLX_WAKE_DISPATCHERS

#define PAYROLLX_FANOUT_COLUMNS "organization_id, id, channel, created_at"

// $1 whether email records are wanted too. The table holds only records not expanded yet, a
// handful at any time: a scan finds them.
constexpr db::Query k_claim_fanout{"notification.claim_fanout",
                                   "SELECT " PAYROLLX_FANOUT_COLUMNS
                                   " FROM notification.fanouts WHERE channel = 'WEBHOOK' OR $1"
                                   " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"};

// $1 organization_id.
constexpr db::Query k_lock_webhook_fanouts{
    "notification.lock_webhook_fanouts",
    "SELECT " PAYROLLX_FANOUT_COLUMNS
    " FROM notification.fanouts WHERE organization_id = $1 AND channel = 'WEBHOOK'"
    " ORDER BY created_at FOR UPDATE"};

#undef PAYROLLX_FANOUT_COLUMNS

// $1 organization_id.
constexpr db::Query k_has_webhook_fanouts{
    "notification.has_webhook_fanouts",
    "SELECT EXISTS (SELECT 1 FROM notification.fanouts"
    "  WHERE organization_id = $1 AND channel = 'WEBHOOK') AS pending"};

// $1 organization_id, $2 id: the record's notices as the inbox holds them.
constexpr db::Query k_fanout_notices{
    "notification.fanout_notices",
    "SELECT n.id, n.user_id, n.event_type, n.data, recorded.email_only"
    " FROM notification.fanouts f"
    " CROSS JOIN LATERAL unnest(f.event_ids, f.payloads) AS recorded(id, email_only)"
    " JOIN notification.notifications n"
    "   ON n.organization_id = f.organization_id AND n.id = recorded.id"
    " WHERE f.organization_id = $1 AND f.id = $2"};

// $1 organization_id, $2 id.
constexpr db::Query k_fanout_events{
    "notification.fanout_events",
    "SELECT recorded.id, recorded.type, recorded.data, f.endpoint_ids::text[] AS endpoint_ids"
    " FROM notification.fanouts f"
    " CROSS JOIN LATERAL unnest(f.event_ids, f.event_types, f.payloads)"
    "   AS recorded(id, type, data)"
    " WHERE f.organization_id = $1 AND f.id = $2"};

constexpr db::Query k_delete_fanout{
    "notification.delete_fanout",
    "DELETE FROM notification.fanouts WHERE organization_id = $1 AND id = $2"};

Fanout fanout_from(const db::Row& row) {
  const auto channel = row.get<std::string>("channel");
  return {.organization_id = row.get<Uuid>("organization_id"),
          .id = row.get<Uuid>("id"),
          .channel = channel == "WEBHOOK" ? Channel::webhook : Channel::email,
          .created_at = row.get<Timestamp>("created_at")};
}

struct EventColumns {
  std::vector<Uuid> ids;
  std::vector<std::string> types, data;
};

EventColumns columns_of(const std::vector<QueuedEvent>& events) {
  EventColumns columns;
  for (const auto& event : events) {
    columns.ids.push_back(event.id);
    columns.types.push_back(event.event_type);
    columns.data.push_back(event.data);
  }
  return columns;
}

}  // namespace

awaitable<std::vector<LiveEndpoint>> live_endpoints(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_live_endpoints, organization_id);
  std::vector<LiveEndpoint> endpoints;
  for (auto row : result)
    endpoints.push_back(
        {.id = row.get<Uuid>("id"), .events = row.get<std::vector<std::string>>("events")});
  co_return endpoints;
}

awaitable<void> insert_webhook_deliveries(db::Tx& tx, const Uuid& organization_id,
                                          const std::vector<QueuedEvent>& events,
                                          const std::vector<Uuid>& endpoint_ids,
                                          const std::optional<Timestamp>& created_at) {
  const auto columns = columns_of(events);
  co_await tx.query(k_insert_webhook_deliveries, organization_id, columns.ids, columns.types,
                    columns.data, endpoint_ids, created_at);
}

awaitable<void> insert_emails(db::Tx& tx, const Uuid& organization_id,
                              const std::vector<QueuedEmail>& emails,
                              const std::optional<Timestamp>& created_at) {
  std::vector<Uuid> notice_ids, recipient_ids;
  std::vector<std::string> event_types, payloads;
  for (const auto& email : emails) {
    notice_ids.push_back(email.notice_id);
    event_types.push_back(email.event_type);
    recipient_ids.push_back(email.recipient_id);
    payloads.push_back(email.payload);
  }
  co_await tx.query(k_insert_emails, organization_id, notice_ids, event_types, recipient_ids,
                    payloads, created_at);
}

awaitable<void> insert_email_fanout(db::Tx& tx, const Uuid& organization_id,
                                    const std::vector<Uuid>& notice_ids,
                                    const std::vector<std::string>& email_only) {
  co_await tx.query(k_insert_fanout, organization_id, Uuid::random(), Channel::email, notice_ids,
                    std::nullopt, email_only, std::nullopt);
}

awaitable<void> insert_webhook_fanout(db::Tx& tx, const Uuid& organization_id,
                                      const std::vector<QueuedEvent>& events,
                                      const std::vector<Uuid>& endpoint_ids) {
  const auto columns = columns_of(events);
  co_await tx.query(k_insert_fanout, organization_id, Uuid::random(), Channel::webhook, columns.ids,
                    columns.types, columns.data, endpoint_ids);
}

awaitable<std::optional<Fanout>> claim_fanout(db::Tx& tx, bool emails) {
  auto result = co_await tx.query(k_claim_fanout, emails);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return fanout_from(*row);
}

awaitable<std::vector<Fanout>> lock_webhook_fanouts(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_lock_webhook_fanouts, organization_id);
  std::vector<Fanout> fanouts;
  for (auto row : result) fanouts.push_back(fanout_from(row));
  co_return fanouts;
}

awaitable<bool> has_webhook_fanouts(db::Pool& pool, const Uuid& organization_id) {
  auto result = co_await pool.query(k_has_webhook_fanouts, organization_id);
  co_return result.one().get<bool>("pending");
}

awaitable<std::vector<RecordedNotice>> fanout_notices(db::Tx& tx, const Fanout& fanout) {
  auto result = co_await tx.query(k_fanout_notices, fanout.organization_id, fanout.id);
  std::vector<RecordedNotice> notices;
  notices.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    notices.push_back({.id = row.get<Uuid>("id"),
                       .user_id = row.get<Uuid>("user_id"),
                       .event_type = row.get<std::string>("event_type"),
                       .data = row.get<boost::json::value>("data"),
                       .email_only = row.get<std::string>("email_only")});
  co_return notices;
}

awaitable<RecordedEvents> fanout_events(db::Tx& tx, const Fanout& fanout) {
  auto result = co_await tx.query(k_fanout_events, fanout.organization_id, fanout.id);
  RecordedEvents recorded;
  recorded.events.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) {
    if (recorded.endpoint_ids.empty())
      for (const auto& text : row.get<std::vector<std::string>>("endpoint_ids")) {
        auto id = Uuid::parse(text);
        if (!id) throw db::DecodeError("notification.fanouts.endpoint_ids holds " + text);
        recorded.endpoint_ids.push_back(*id);
      }
    recorded.events.push_back({.id = row.get<Uuid>("id"),
                               .event_type = row.get<std::string>("type"),
                               .data = row.get<std::string>("data")});
  }
  co_return recorded;
}

awaitable<void> delete_fanout(db::Tx& tx, const Fanout& fanout) {
  co_await tx.query(k_delete_fanout, fanout.organization_id, fanout.id);
}

}  // namespace payrollx::notification::queue_store
