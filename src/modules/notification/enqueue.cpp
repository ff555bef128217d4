// Writing notices and events in the caller's transaction: the inbox rows, their emails (when
// email is on) and the webhook deliveries, in a bounded number of statements. They exist only if
// their cause committed; the dispatchers are woken at that commit.
//
// A few deliveries are written as rows at once. A larger fan-out (a payroll run's payslips) is
// written as one record per slice and channel instead (sql/notification/0007_fanouts.sql), which
// the dispatchers expand into its deliveries after the commit (expansion.hpp): writing 20,000
// delivery rows was a third of a 10,000-employee execute, a record costs about what its
// parameters do. The emails' recipients are read at expansion, not in the caller's transaction.
#include <boost/json/serialize.hpp>
#include <map>
#include <span>

#include "core/db/pool.hpp"
#include "modules/notification/emails.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/queue_store.hpp"
#include "modules/notification/store.hpp"

namespace payrollx::notification {
namespace {

using boost::asio::awaitable;

// Up to this many deliveries (a dispatcher's claim) are written as rows: a few hundred
// microseconds, and visible at once to whoever reads the table.
constexpr std::size_t k_direct_limit = 16;
// A fan-out record holds at most this many notices or events: bounded statements, parameter
// arrays and expansions, for a run of any size.
constexpr std::size_t k_slice = 5000;

std::map<Uuid, std::vector<std::size_t>> by_organization(const std::vector<Notice>& notices) {
  std::map<Uuid, std::vector<std::size_t>> indexes;
  for (std::size_t i = 0; i < notices.size(); ++i) indexes[notices[i].organization_id].push_back(i);
  return indexes;
}

// The emails of one organisation's notices (`of_organization` indexes them), rows or records.
awaitable<void> queue_emails_of(db::Tx& tx, Directory& directory, const Uuid& organization_id,
                                const std::vector<std::size_t>& of_organization,
                                const std::vector<Notice>& notices, const std::vector<Uuid>& ids) {
  if (of_organization.size() <= k_direct_limit) {
    std::vector<EmailSource> sources;
    for (auto index : of_organization)
      sources.push_back({.notice_id = ids[index],
                         .user_id = notices[index].user_id,
                         .event_type = notices[index].event_type,
                         .data = notices[index].data,
                         .email_only = notices[index].email_only});
    co_await queue_emails(tx, directory, organization_id, sources, std::nullopt);
    co_return;
  }
  const std::span<const std::size_t> all(of_organization);
  for (std::size_t start = 0; start < all.size(); start += k_slice) {
    std::vector<Uuid> notice_ids;
    std::vector<std::string> email_only;
    for (auto index : all.subspan(start, std::min(k_slice, all.size() - start))) {
      notice_ids.push_back(ids[index]);
      const auto& only = notices[index].email_only;
      email_only.push_back(only.empty() ? std::string() : boost::json::serialize(only));
    }
    co_await queue_store::insert_email_fanout(tx, organization_id, notice_ids, email_only);
  }
}

bool takes(const queue_store::LiveEndpoint& endpoint, std::string_view event_type) {
  for (const auto& taken : endpoint.events)
    if (taken == "*" || taken == event_type) return true;
  return false;
}

}  // namespace

awaitable<void> Inbox::enqueue(db::Tx& tx, Notice notice) {
  std::vector<Notice> notices;
  notices.push_back(std::move(notice));
  co_await enqueue_many(tx, std::move(notices));
}

awaitable<void> Inbox::enqueue_many(db::Tx& tx, std::vector<Notice> notices) {
  if (notices.empty()) co_return;
  // Time-ordered ids: the inbox's primary key grows at its end.
  std::vector<Uuid> ids(notices.size());
  for (auto& id : ids) id = Uuid::random();
  if (directory_) {
    const auto organizations = by_organization(notices);
    for (const auto& [organization_id, of_organization] : organizations)
      co_await queue_emails_of(tx, *directory_, organization_id, of_organization, notices, ids);
  }
  co_await store::insert_many(tx, ids, notices);  // (moves the notices' texts)
}

awaitable<void> Inbox::hold_deliveries(db::Tx& tx, const Uuid& organization_id) {
  co_await outbox_store::set_held(tx, organization_id, true);
}

awaitable<void> Inbox::release_deliveries(db::Tx& tx, const Uuid& organization_id) {
  co_await outbox_store::set_held(tx, organization_id, false);
}

awaitable<void> Inbox::publish(db::Tx& tx, Event event) {
  std::vector<Event> events;
  events.push_back(std::move(event));
  co_await publish_many(tx, std::move(events));
}

awaitable<void> Inbox::publish_many(db::Tx& tx, std::vector<Event> events) {
  std::map<Uuid, std::vector<const Event*>> of_organizations;
  for (const auto& event : events) of_organizations[event.organization_id].push_back(&event);
  for (const auto& [organization_id, of_organization] : of_organizations) {
    // Most organisations have no endpoint: their events cost one indexed read, no body.
    auto endpoints = co_await queue_store::live_endpoints(tx, organization_id);
    if (endpoints.empty()) continue;
    std::vector<Uuid> endpoint_ids;
    for (const auto& endpoint : endpoints) endpoint_ids.push_back(endpoint.id);
    std::vector<queue_store::QueuedEvent> queued;
    std::size_t deliveries = 0;
    for (const auto* event : of_organization) {
      std::size_t taking = 0;
      for (const auto& endpoint : endpoints) taking += takes(endpoint, event->event_type) ? 1 : 0;
      if (taking == 0) continue;
      deliveries += taking;
      queued.push_back({.id = Uuid::random(),
                        .event_type = event->event_type,
                        .data = boost::json::serialize(event->data)});
    }
    if (queued.empty()) continue;
    if (deliveries <= k_direct_limit) {
      co_await queue_store::insert_webhook_deliveries(tx, organization_id, queued, endpoint_ids,
                                                      std::nullopt);
      continue;
    }
    const std::span<const queue_store::QueuedEvent> all(queued);
    for (std::size_t start = 0; start < all.size(); start += k_slice) {
      auto slice = all.subspan(start, std::min(k_slice, all.size() - start));
      const std::vector<queue_store::QueuedEvent> recorded(slice.begin(), slice.end());
      co_await queue_store::insert_webhook_fanout(tx, organization_id, recorded, endpoint_ids);
    }
  }
}

}  // namespace payrollx::notification
