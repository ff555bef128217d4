#pragma once
// The inbox's storage (schema notification only): typed functions over notices, their SQL
// private to store.cpp. Private to the notification module.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/notification/notification.hpp"

namespace payrollx::notification::store {

struct StoredNotice {
  Uuid id;
  std::string event_type;
  std::string title;
  std::string body;
  boost::json::value data;
  std::optional<Timestamp> read_at;
  Timestamp created_at;
};

// The inbox rows of `notices` (their strings moved from), ids[i] the id of notices[i]: one
// statement.
boost::asio::awaitable<void> insert_many(db::Tx& tx, const std::vector<Uuid>& ids,
                                         std::vector<Notice>& notices);
// Up to `limit` of a user's notices (none without an organisation), newest first (unread ones only
// if asked), after the keyset (created_at, id) of the previous page's last notice.
boost::asio::awaitable<std::vector<StoredNotice>> select_inbox_page(
    db::Pool& pool, const std::optional<Uuid>& organization_id, const Uuid& user_id,
    bool unread_only, const std::optional<Timestamp>& after_created_at,
    const std::optional<Uuid>& after_id, int limit);
// Marks one of the user's notices read, keeping the first read time; none when it is not theirs.
boost::asio::awaitable<std::optional<StoredNotice>> mark_read(
    db::Pool& pool, const Uuid& id, const std::optional<Uuid>& organization_id,
    const Uuid& user_id);

// {id,eventType,title,body,data,readAt,createdAt}
boost::json::object to_json(const StoredNotice& notice);

}  // namespace payrollx::notification::store
