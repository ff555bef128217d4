#include "modules/notification/store.hpp"

#include <boost/json/serialize.hpp>

#include "core/db/pool.hpp"

namespace payrollx::notification::store {
namespace {

using boost::asio::awaitable;

// Any number of notices in one statement, one array per column (same length, same order). The
// table has its primary key, the inbox's index and the reference to the organisation, and
// nothing else (sql/notification/0007_fanouts.sql): this is most of what a large run's notices
// cost. $1 id[], $2 organization_id[], $3 user_id[], $4 event_type[], $5 title[], $6 body[],
// $7 data[] (json text).
constexpr db::Query k_insert_many{
    "notification.insert_notifications",
    "INSERT INTO notification.notifications (id, organization_id, user_id, event_type, title,"
    "  body, data)"
    " SELECT id, organization_id, user_id, event_type, title, body, data::json"
    " FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],"
    "   $7::text[]) AS notice(id, organization_id, user_id, event_type, title, body, data)"};

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

StoredNotice stored_notice(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .event_type = row.get<std::string>("event_type"),
          .title = row.get<std::string>("title"),
          .body = row.get<std::string>("body"),
          .data = row.get<boost::json::value>("data"),
          .read_at = row.get<std::optional<Timestamp>>("read_at"),
          .created_at = row.get<Timestamp>("created_at")};
}

}  // namespace

awaitable<void> insert_many(db::Tx& tx, const std::vector<Uuid>& ids,
                            std::vector<Notice>& notices) {
  std::vector<Uuid> organization_ids, user_ids;
  std::vector<std::string> event_types, titles, bodies, data;
  for (auto& notice : notices) {
    organization_ids.push_back(notice.organization_id);
    user_ids.push_back(notice.user_id);
    event_types.push_back(std::move(notice.event_type));
    titles.push_back(std::move(notice.title));
    bodies.push_back(std::move(notice.body));
    data.push_back(notice.data.is_null() ? "{}" : boost::json::serialize(notice.data));
  }
  co_await tx.query(k_insert_many, ids, organization_ids, user_ids, event_types, titles, bodies,
                    data);
}

awaitable<std::vector<StoredNotice>> select_inbox_page(
    db::Pool& pool, const std::optional<Uuid>& organization_id, const Uuid& user_id,
    bool unread_only, const std::optional<Timestamp>& after_created_at,
    const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_inbox_page, organization_id, user_id, unread_only,
                                    after_created_at, after_id, limit);
  std::vector<StoredNotice> notices;
  notices.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) notices.push_back(stored_notice(row));
  co_return notices;
}

awaitable<std::optional<StoredNotice>> mark_read(db::Pool& pool, const Uuid& id,
                                                 const std::optional<Uuid>& organization_id,
                                                 const Uuid& user_id) {
  auto result = co_await pool.query(k_mark_read, id, organization_id, user_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return stored_notice(*row);
}

boost::json::object to_json(const StoredNotice& notice) {
  return {{"id", notice.id.str()},
          {"eventType", notice.event_type},
          {"title", notice.title},
          {"body", notice.body},
          {"data", notice.data},
          {"readAt", notice.read_at ? boost::json::value(to_rfc3339(*notice.read_at)) : nullptr},
          {"createdAt", to_rfc3339(notice.created_at)}};
}

}  // namespace payrollx::notification::store
