// The inbox, read and marked by its recipient alone (enqueue.cpp writes it).
#include "modules/notification/service.hpp"

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/notification/notification.hpp"

namespace payrollx::notification {

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
