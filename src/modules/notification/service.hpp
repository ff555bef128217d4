#pragma once
// Reading and marking a user's inbox: what the routes call. Private to the notification module.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/uuid.hpp"
#include "modules/notification/store.hpp"

namespace payrollx::db {
class Pool;
}

namespace payrollx::notification {

// Whose inbox: the recipient and the organisation they belong to. A user without one
// (SUPER_ADMIN) matches no notice: notices always belong to an organisation.
struct Recipient {
  std::optional<Uuid> organization_id;
  Uuid user_id;
};

// Up to `limit` notices of the recipient, newest first, after the keyset `after`.
boost::asio::awaitable<std::vector<store::StoredNotice>> inbox_page(
    db::Pool& pool, const Recipient& recipient, bool unread_only,
    const std::optional<http::Keyset>& after, int limit);

// Marks the recipient's notice read (the first read time stays); 404 when it is not theirs.
boost::asio::awaitable<store::StoredNotice> mark_read(db::Pool& pool, const Recipient& recipient,
                                                      const Uuid& notification_id);

}  // namespace payrollx::notification
