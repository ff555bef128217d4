// The inbox: notices are written in the caller's transaction (they exist only if their cause
// committed) and read by their recipient alone.
#include "modules/notification/service.hpp"

#include <boost/json/serialize.hpp>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/notification/notification.hpp"

namespace payrollx::notification {

boost::asio::awaitable<void> Inbox::enqueue(db::Tx& tx, Notice notice) {
  std::vector<Notice> notices;
  notices.push_back(std::move(notice));
  co_await enqueue_many(tx, std::move(notices));
}

boost::asio::awaitable<void> Inbox::enqueue_many(db::Tx& tx, std::vector<Notice> notices) {
  if (notices.empty()) co_return;
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
  co_await tx.query(store::k_insert_many, organization_ids, user_ids, event_types, titles, bodies,
                    data);
}

boost::asio::awaitable<std::vector<store::StoredNotice>> inbox_page(
    db::Pool& pool, const Recipient& recipient, bool unread_only,
    const std::optional<http::Keyset>& after, int limit) {
  std::optional<Timestamp> after_created_at;
  std::optional<Uuid> after_id;
  if (after) {
    after_created_at = after->created_at;
    after_id = after->id;
  }
  auto result =
      co_await pool.query(store::k_select_inbox_page, recipient.organization_id, recipient.user_id,
                          unread_only, after_created_at, after_id, limit);
  std::vector<store::StoredNotice> notices;
  notices.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) notices.push_back(store::stored_notice(row));
  co_return notices;
}

boost::asio::awaitable<store::StoredNotice> mark_read(db::Pool& pool, const Recipient& recipient,
                                                      const Uuid& notification_id) {
  auto result = co_await pool.query(store::k_mark_read, notification_id, recipient.organization_id,
                                    recipient.user_id);
  auto row = result.first();
  if (!row) throw not_found("The notification does not exist.");
  co_return store::stored_notice(*row);
}

}  // namespace payrollx::notification
