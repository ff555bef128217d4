#include "modules/notification/expansion.hpp"

#include <boost/json/parse.hpp>

#include "core/db/pool.hpp"
#include "modules/notification/emails.hpp"
#include "modules/notification/queue_store.hpp"

namespace payrollx::notification {
namespace {

using boost::asio::awaitable;
using queue_store::Fanout;

awaitable<void> expand_emails(db::Tx& tx, Directory& directory, const Fanout& fanout) {
  auto notices = co_await queue_store::fanout_notices(tx, fanout);
  std::vector<EmailSource> sources;
  sources.reserve(notices.size());
  for (auto& notice : notices) {
    boost::json::object email_only;
    if (!notice.email_only.empty()) email_only = boost::json::parse(notice.email_only).as_object();
    sources.push_back({.notice_id = notice.id,
                       .user_id = notice.user_id,
                       .event_type = std::move(notice.event_type),
                       .data = std::move(notice.data),
                       .email_only = std::move(email_only)});
  }
  co_await queue_emails(tx, directory, fanout.organization_id, sources, fanout.created_at);
}

awaitable<void> expand_webhooks(db::Tx& tx, const Fanout& fanout) {
  auto recorded = co_await queue_store::fanout_events(tx, fanout);
  co_await queue_store::insert_webhook_deliveries(tx, fanout.organization_id, recorded.events,
                                                  recorded.endpoint_ids, fanout.created_at);
}

// The record's deliveries, then the record gone: both or neither commit.
awaitable<void> expand(db::Tx& tx, Directory* directory, const Fanout& fanout) {
  if (fanout.channel == outbox_store::Channel::webhook)
    co_await expand_webhooks(tx, fanout);
  else
    co_await expand_emails(tx, *directory, fanout);
  co_await queue_store::delete_fanout(tx, fanout);
}

}  // namespace

awaitable<bool> expand_next(db::Pool& pool, Directory* directory) {
  auto body = [directory](db::Tx& tx) -> awaitable<bool> {
    auto fanout = co_await queue_store::claim_fanout(tx, directory != nullptr);
    if (!fanout) co_return false;
    co_await expand(tx, directory, *fanout);
    co_return true;
  };
  co_return co_await pool.transaction(body);
}

awaitable<void> expand_webhooks_of(db::Pool& pool, const Uuid& organization_id) {
  auto body = [&organization_id](db::Tx& tx) -> awaitable<void> {
    auto fanouts = co_await queue_store::lock_webhook_fanouts(tx, organization_id);
    for (const auto& fanout : fanouts) co_await expand(tx, nullptr, fanout);
  };
  co_await pool.transaction(body);
}

}  // namespace payrollx::notification
