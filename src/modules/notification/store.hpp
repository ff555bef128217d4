#pragma once
// The notification module's SQL (schema notification only) and the decoding of its rows.
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::notification::store {

// Any number of notices in one statement, one array per column (same length, same order): the
// inbox rows, and an email delivery (its event the inbox row) for each notice with an email
// payload ('' for none), which wakes the dispatchers at commit. $1 organization_id[], $2
// user_id[], $3 event_type[], $4 title[], $5 body[], $6 data[] (json text), $7 email payload[].
constexpr db::Query k_insert_many{
    "notification.insert_notifications",
    "WITH notice AS MATERIALIZED ("
    "  SELECT gen_random_uuid() AS id, organization_id, user_id, event_type, title, body, data,"
    "    email"
    "  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "    $7::text[]) AS notice(organization_id, user_id, event_type, title, body, data, email)"
    "), inbox AS ("
    "  INSERT INTO notification.notifications (id, organization_id, user_id, event_type, title,"
    "    body, data)"
    "  SELECT id, organization_id, user_id, event_type, title, body, data::jsonb FROM notice"
    "), emails AS ("
    "  INSERT INTO notification.deliveries (id, organization_id, event_id, event_type, channel,"
    "    recipient_id, payload)"
    "  SELECT gen_random_uuid(), organization_id, id, event_type, 'EMAIL', user_id, email"
    "  FROM notice WHERE email <> ''"
    "  RETURNING 1"
    ") SELECT pg_notify('payrollx_outbox', '') FROM (SELECT 1 FROM emails LIMIT 1) AS any_email"};

#define PAYROLLX_NOTIFICATION_COLUMNS "id, event_type, title, body, data, read_at, created_at"

// One page of a user's inbox, newest first. $1 organization_id, $2 user_id, $3 unread only,
// $4/$5 keyset (created_at, id) of the previous page's last notice or NULL, $6 limit.
constexpr db::Query k_select_inbox_page{
    "notification.select_inbox_page",
    "SELECT " PAYROLLX_NOTIFICATION_COLUMNS
    " FROM notification.notifications "
    "WHERE user_id = $2 AND organization_id = $1"
    "  AND (NOT $3::boolean OR read_at IS NULL)"
    "  AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))"
    " ORDER BY created_at DESC, id DESC LIMIT $6"};

// Marks one of the user's notices read, keeping the first read time. $1 id, $2 organization_id,
// $3 user_id → the notice, or no row when it is not theirs.
constexpr db::Query k_mark_read{
    "notification.mark_read",
    "UPDATE notification.notifications SET read_at = coalesce(read_at, now()) "
    "WHERE id = $1 AND organization_id = $2 AND user_id = $3 "
    "RETURNING " PAYROLLX_NOTIFICATION_COLUMNS};

#undef PAYROLLX_NOTIFICATION_COLUMNS

struct StoredNotice {
  Uuid id;
  std::string event_type;
  std::string title;
  std::string body;
  boost::json::value data;
  std::optional<Timestamp> read_at;
  Timestamp created_at;
};

StoredNotice stored_notice(const db::Row& row);
// {id,eventType,title,body,data,readAt,createdAt}
boost::json::object to_json(const StoredNotice& notice);

}  // namespace payrollx::notification::store
