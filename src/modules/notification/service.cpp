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
  co_return co_await store::select_inbox_page(pool, recipient.organization_id, recipient.user_id,
                                              unread_only, after_created_at, after_id, limit);
}

boost::asio::awaitable<store::StoredNotice> mark_read(db::Pool& pool, const Recipient& recipient,
                                                      const Uuid& notification_id) {
  auto notice = co_await store::mark_read(pool, notification_id, recipient.organization_id,
                                          recipient.user_id);
  if (!notice) throw not_found("The notification does not exist.");
  co_return std::move(*notice);
}

}  // namespace payrollx::notification
