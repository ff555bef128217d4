#include "modules/notification/outbox_store.hpp"

#include <stdexcept>

#include "core/db/pool.hpp"

namespace payrollx::notification::outbox_store {
namespace {

using boost::asio::awaitable;

// $1 organization_id.
constexpr db::Query k_hold{"notification.hold_organization",
                           "INSERT INTO notification.held_organizations (organization_id) "
                           "VALUES ($1) ON CONFLICT DO NOTHING"};

// $1 organization_id. Wakes the dispatchers at commit: what waited is due now.
constexpr db::Query k_release{
    "notification.release_organization",
    "WITH released AS (DELETE FROM notification.held_organizations WHERE organization_id = $1"
    "  RETURNING 1)"
    " SELECT pg_notify('payrollx_outbox', '') FROM (SELECT 1 FROM released LIMIT 1) AS any_row"};

// $1 limit, $2 lease in seconds.
constexpr db::Query k_claim{
    "notification.claim_deliveries",
    "WITH due AS ("
    "  SELECT organization_id, id FROM notification.deliveries"
    "  WHERE status = 'PENDING' AND next_attempt_at <= now() AND NOT EXISTS ("
    "    SELECT 1 FROM notification.held_organizations h"
    "    WHERE h.organization_id = deliveries.organization_id)"
    "  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED"
    "), claimed AS ("
    "  UPDATE notification.deliveries d SET attempts = d.attempts + 1,"
    "    next_attempt_at = now() + make_interval(secs => $2)"
    "  FROM due WHERE d.organization_id = due.organization_id AND d.id = due.id"
    "  RETURNING d.id, d.organization_id, d.event_id, d.event_type, d.channel, d.endpoint_id,"
    "    d.payload, d.attempts, d.created_at"
    ") SELECT c.id, c.organization_id, c.event_id, c.event_type, c.channel, c.payload,"
    "  c.attempts, c.created_at, e.url, e.secret, t.subject AS template_subject,"
    "  t.body AS template_body"
    " FROM claimed c LEFT JOIN notification.webhook_endpoints e"
    "  ON e.organization_id = c.organization_id AND e.id = c.endpoint_id AND e.deleted_at IS NULL"
    " LEFT JOIN notification.templates t ON c.channel = 'EMAIL'"
    "  AND t.organization_id = c.organization_id AND t.event_type = c.event_type"};

// $1 organization_id, $2 id, $3 the claim's attempts, $4 lease in seconds.
constexpr db::Query k_renew{
    "notification.renew_lease",
    "UPDATE notification.deliveries SET next_attempt_at = now() + make_interval(secs => $4) "
    "WHERE organization_id = $1 AND id = $2 AND attempts = $3 AND status = 'PENDING'"};

// An email's text (an invitation carries its token) is not kept once it is settled: emails are
// never sent again. $1 organization_id, $2 id, $3 status code.
constexpr db::Query k_mark_delivered{
    "notification.mark_delivered",
    "UPDATE notification.deliveries SET status = 'DELIVERED', delivered_at = now(),"
    "  last_status_code = $3, last_error = NULL,"
    "  payload = CASE WHEN channel = 'EMAIL' THEN '{}' ELSE payload END "
    "WHERE organization_id = $1 AND id = $2 AND status = 'PENDING'"};

// $1 organization_id, $2 id, $3 status code, $4 error, $5 retry at (NULL: FAILED), $6 the
// claim's attempts.
constexpr db::Query k_mark_failed{
    "notification.mark_failed",
    "UPDATE notification.deliveries SET"
    "  status = CASE WHEN $5::timestamptz IS NULL THEN 'FAILED' ELSE 'PENDING' END,"
    "  next_attempt_at = coalesce($5::timestamptz, next_attempt_at),"
    "  last_status_code = $3, last_error = $4,"
    "  payload = CASE WHEN channel = 'EMAIL' AND $5::timestamptz IS NULL THEN '{}'"
    "    ELSE payload END "
    "WHERE organization_id = $1 AND id = $2 AND status = 'PENDING' AND attempts = $6"};

// The deliveries of records not expanded yet count too: an email per notice, a webhook per
// (event, recorded endpoint taking it).
constexpr db::Query k_backlog{
    "notification.backlog",
    "SELECT channel, sum(n)::bigint AS count FROM ("
    "  SELECT channel, count(*) AS n FROM notification.deliveries WHERE status = 'PENDING'"
    "  GROUP BY channel"
    "  UNION ALL SELECT 'EMAIL', cardinality(event_ids) FROM notification.fanouts"
    "  WHERE channel = 'EMAIL'"
    "  UNION ALL SELECT 'WEBHOOK', count(*) FROM notification.fanouts f"
    "  CROSS JOIN LATERAL unnest(f.event_types) AS event(type)"
    "  JOIN notification.webhook_endpoints e"
    "    ON e.organization_id = f.organization_id AND e.id = ANY (f.endpoint_ids)"
    "    AND (event.type = ANY (e.events) OR '*' = ANY (e.events))"
    "  WHERE f.channel = 'WEBHOOK'"
    ") AS queued GROUP BY channel"};

#define PAYROLLX_ENDPOINT_COLUMNS "id, url, events, created_at"

// $1 id, $2 organization_id, $3 url, $4 events, $5 secret, $6 created_by.
constexpr db::Query k_insert_endpoint{
    "notification.insert_endpoint",
    "INSERT INTO notification.webhook_endpoints (id, organization_id, url, events, secret,"
    "  created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " PAYROLLX_ENDPOINT_COLUMNS};

// $1 organization_id, $2/$3 keyset or NULL, $4 limit.
constexpr db::Query k_list_endpoints{
    "notification.list_endpoints",
    "SELECT " PAYROLLX_ENDPOINT_COLUMNS
    " FROM notification.webhook_endpoints WHERE organization_id = $1 AND deleted_at IS NULL"
    "  AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))"
    " ORDER BY created_at DESC, id DESC LIMIT $4"};

// $1 organization_id, $2 id.
constexpr db::Query k_endpoint{"notification.endpoint",
                               "SELECT " PAYROLLX_ENDPOINT_COLUMNS
                               " FROM notification.webhook_endpoints"
                               " WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL"};

#undef PAYROLLX_ENDPOINT_COLUMNS

constexpr db::Query k_delete_endpoint{
    "notification.delete_endpoint",
    "UPDATE notification.webhook_endpoints SET deleted_at = now() "
    "WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL"};

#define PAYROLLX_DELIVERY_COLUMNS                                                              \
  "id, event_id, event_type, status, attempts, last_status_code, last_error, next_attempt_at," \
  " delivered_at, created_at"

// $1 organization_id, $2 endpoint_id, $3/$4 keyset or NULL, $5 limit.
constexpr db::Query k_list_deliveries{
    "notification.list_deliveries",
    "SELECT " PAYROLLX_DELIVERY_COLUMNS
    " FROM notification.deliveries WHERE organization_id = $1 AND endpoint_id = $2"
    "  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))"
    " ORDER BY created_at DESC, id DESC LIMIT $5"};

// $1 organization_id, $2 endpoint_id, $3 delivery id: the delivery as it was, and as it is after
// a FAILED one was queued again.
constexpr db::Query k_redeliver{
    "notification.redeliver",
    "WITH found AS ("
    "  SELECT id AS found_id, status AS found_status FROM notification.deliveries"
    "  WHERE organization_id = $1 AND endpoint_id = $2 AND id = $3 FOR UPDATE"
    "), queued AS ("
    "  UPDATE notification.deliveries d SET status = 'PENDING', attempts = 0,"
    "    next_attempt_at = now(), last_error = NULL, last_status_code = NULL"
    "  FROM found WHERE d.organization_id = $1 AND d.id = found.found_id"
    "    AND found.found_status = 'FAILED'"
    "  RETURNING d.id"
    "), woken AS (SELECT pg_notify('payrollx_outbox', '') FROM queued"
    ") SELECT " PAYROLLX_DELIVERY_COLUMNS
    ", found_status = 'FAILED' AS was_failed, (SELECT count(*) FROM woken) AS woken"
    " FROM found JOIN notification.deliveries ON organization_id = $1 AND id = found_id"};

#undef PAYROLLX_DELIVERY_COLUMNS

constexpr db::Query k_template{"notification.template",
                               "SELECT event_type, subject, body FROM notification.templates "
                               "WHERE organization_id = $1 AND event_type = $2"};

// $1 organization_id, $2 event_type, $3 subject, $4 body, $5 updated_by.
constexpr db::Query k_put_template{
    "notification.put_template",
    "INSERT INTO notification.templates (organization_id, event_type, subject, body, updated_by)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, event_type) DO UPDATE SET"
    "  subject = EXCLUDED.subject, body = EXCLUDED.body, updated_by = EXCLUDED.updated_by,"
    "  updated_at = now()"};

constexpr db::Query k_delete_template{
    "notification.delete_template",
    "DELETE FROM notification.templates WHERE organization_id = $1 AND event_type = $2"};

Channel channel_from(const std::string& text) {
  if (text == "EMAIL") return Channel::email;
  if (text == "WEBHOOK") return Channel::webhook;
  throw db::DecodeError("notification.deliveries.channel holds " + text);
}

Status status_from(const std::string& text) {
  if (text == "PENDING") return Status::pending;
  if (text == "DELIVERED") return Status::delivered;
  if (text == "FAILED") return Status::failed;
  throw db::DecodeError("notification.deliveries.status holds " + text);
}

Endpoint endpoint_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .url = row.get<std::string>("url"),
          .events = row.get<std::vector<std::string>>("events"),
          .created_at = row.get<Timestamp>("created_at")};
}

Delivery delivery_from(const db::Row& row) {
  auto status = status_from(row.get<std::string>("status"));
  auto next = row.get<Timestamp>("next_attempt_at");
  return {.id = row.get<Uuid>("id"),
          .event_id = row.get<Uuid>("event_id"),
          .event_type = row.get<std::string>("event_type"),
          .status = status,
          .attempts = row.get<int>("attempts"),
          .last_status_code = row.get<std::optional<int>>("last_status_code"),
          .last_error = row.get<std::optional<std::string>>("last_error"),
          .next_attempt_at = status == Status::pending ? std::optional(next) : std::nullopt,
          .delivered_at = row.get<std::optional<Timestamp>>("delivered_at"),
          .created_at = row.get<Timestamp>("created_at")};
}

StoredTemplate template_from(const db::Row& row) {
  return {.event_type = row.get<std::string>("event_type"),
          .subject = row.get<std::string>("subject"),
          .body = row.get<std::string>("body")};
}

std::optional<Timestamp> after_time(const http::PageRequest& page) {
  if (!page.after) return std::nullopt;
  return page.after->created_at;
}

std::optional<Uuid> after_id(const http::PageRequest& page) {
  if (!page.after) return std::nullopt;
  return page.after->id;
}

}  // namespace

std::string_view to_string(Channel channel) {
  return channel == Channel::email ? "EMAIL" : "WEBHOOK";
}

std::string_view to_string(Status status) {
  switch (status) {
    case Status::pending:
      return "PENDING";
    case Status::delivered:
      return "DELIVERED";
    case Status::failed:
      return "FAILED";
  }
  throw std::logic_error("unknown delivery status");
}

awaitable<void> set_held(db::Tx& tx, const Uuid& organization_id, bool held) {
  co_await tx.query(held ? k_hold : k_release, organization_id);
}

awaitable<std::vector<Claimed>> claim(db::Pool& pool, int limit, std::chrono::seconds lease) {
  auto result = co_await pool.query(k_claim, limit, static_cast<std::int64_t>(lease.count()));
  std::vector<Claimed> claimed;
  for (auto row : result)
    claimed.push_back({.id = row.get<Uuid>("id"),
                       .organization_id = row.get<Uuid>("organization_id"),
                       .event_id = row.get<Uuid>("event_id"),
                       .event_type = row.get<std::string>("event_type"),
                       .channel = channel_from(row.get<std::string>("channel")),
                       .payload = row.get<std::string>("payload"),
                       .attempts = row.get<int>("attempts"),
                       .created_at = row.get<Timestamp>("created_at"),
                       .url = row.get<std::optional<std::string>>("url"),
                       .secret = row.get<std::optional<std::string>>("secret"),
                       .template_subject = row.get<std::optional<std::string>>("template_subject"),
                       .template_body = row.get<std::optional<std::string>>("template_body")});
  co_return claimed;
}

awaitable<bool> renew(db::Pool& pool, const Uuid& organization_id, const Uuid& id, int attempts,
                      std::chrono::seconds lease) {
  auto result = co_await pool.query(k_renew, organization_id, id, attempts,
                                    static_cast<std::int64_t>(lease.count()));
  co_return result.affected() == 1;
}

awaitable<void> mark_delivered(db::Pool& pool, const Attempt& attempt) {
  co_await pool.query(k_mark_delivered, attempt.organization_id, attempt.id, attempt.status_code);
}

awaitable<void> mark_failed(db::Pool& pool, const Attempt& attempt,
                            std::optional<Timestamp> retry_at) {
  co_await pool.query(k_mark_failed, attempt.organization_id, attempt.id, attempt.status_code,
                      attempt.error, retry_at, attempt.attempts);
}

awaitable<std::vector<Backlog>> backlog(db::Pool& pool) {
  auto result = co_await pool.query(k_backlog);
  std::vector<Backlog> counts;
  for (auto row : result)
    counts.push_back({.channel = channel_from(row.get<std::string>("channel")),
                      .status = Status::pending,
                      .count = row.get<std::int64_t>("count")});
  co_return counts;
}

awaitable<Endpoint> insert_endpoint(db::Pool& pool, const Uuid& organization_id,
                                    const std::string& url, const std::vector<std::string>& events,
                                    const std::string& secret, const Uuid& created_by) {
  auto result = co_await pool.query(k_insert_endpoint, Uuid::random(), organization_id, url, events,
                                    secret, created_by);
  co_return endpoint_from(result.one());
}

awaitable<std::vector<Endpoint>> list_endpoints(db::Pool& pool, const Uuid& organization_id,
                                                const http::PageRequest& page) {
  auto result = co_await pool.query(k_list_endpoints, organization_id, after_time(page),
                                    after_id(page), page.limit + 1);
  std::vector<Endpoint> endpoints;
  for (auto row : result) endpoints.push_back(endpoint_from(row));
  co_return endpoints;
}

awaitable<std::optional<Endpoint>> endpoint(db::Pool& pool, const Uuid& organization_id,
                                            const Uuid& id) {
  auto result = co_await pool.query(k_endpoint, organization_id, id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return endpoint_from(*row);
}

awaitable<bool> delete_endpoint(db::Pool& pool, const Uuid& organization_id, const Uuid& id) {
  co_return (co_await pool.query(k_delete_endpoint, organization_id, id)).affected() == 1;
}

awaitable<std::vector<Delivery>> list_deliveries(db::Pool& pool, const Uuid& organization_id,
                                                 const Uuid& endpoint_id,
                                                 const http::PageRequest& page) {
  auto result = co_await pool.query(k_list_deliveries, organization_id, endpoint_id,
                                    after_time(page), after_id(page), page.limit + 1);
  std::vector<Delivery> deliveries;
  for (auto row : result) deliveries.push_back(delivery_from(row));
  co_return deliveries;
}

awaitable<Redelivered> redeliver(db::Pool& pool, const Uuid& organization_id,
                                 const Uuid& endpoint_id, const Uuid& delivery_id) {
  auto result = co_await pool.query(k_redeliver, organization_id, endpoint_id, delivery_id);
  auto row = result.first();
  if (!row) co_return Redelivered{};
  Redelivered answer{.delivery = delivery_from(*row), .was_failed = row->get<bool>("was_failed")};
  // The statement's snapshot shows the row as it was: the queued state is known.
  if (answer.was_failed) {
    answer.delivery->status = Status::pending;
    answer.delivery->attempts = 0;
    answer.delivery->last_error.reset();
    answer.delivery->last_status_code.reset();
    answer.delivery->next_attempt_at = now();
  }
  co_return answer;
}

awaitable<std::optional<StoredTemplate>> template_of(db::Pool& pool, const Uuid& organization_id,
                                                     std::string_view event_type) {
  auto result = co_await pool.query(k_template, organization_id, event_type);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return template_from(*row);
}

awaitable<void> put_template(db::Pool& pool, const Uuid& organization_id,
                             const StoredTemplate& stored, const Uuid& updated_by) {
  co_await pool.query(k_put_template, organization_id, stored.event_type, stored.subject,
                      stored.body, updated_by);
}

awaitable<bool> delete_template(db::Pool& pool, const Uuid& organization_id,
                                std::string_view event_type) {
  co_return (co_await pool.query(k_delete_template, organization_id, event_type)).affected() == 1;
}

}  // namespace payrollx::notification::outbox_store
