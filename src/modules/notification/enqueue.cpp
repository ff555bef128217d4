// Writing notices and events in the caller's transaction: the inbox rows with their emails (when
// email is on), and the webhook deliveries, in a bounded number of statements.
// They exist only if their cause committed; the dispatchers are woken at that commit.
#include <boost/json/serialize.hpp>
#include <map>
#include <set>

#include "core/db/pool.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/store.hpp"

namespace payrollx::notification {
namespace {

using boost::asio::awaitable;
std::string text_of(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_null()) return {};
  return boost::json::serialize(value);
}

void add_values(boost::json::object& values, const boost::json::value& object) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.as_object()) values[key] = text_of(value);
}

// What the template of a notice may show: its data, its email-only values, its recipient and
// organisation.
boost::json::object values_of(const Notice& notice, const Person& person,
                              const std::string& organization) {
  boost::json::object values;
  add_values(values, notice.data);
  add_values(values, notice.email_only);
  values["recipient.firstName"] = person.first_name;
  values["recipient.lastName"] = person.last_name;
  values["organization.name"] = organization;
  return values;
}

// What the outbox keeps of an email, {to,toName,values}: it is rendered with the
// organisation's template when it is sent.
std::string email_payload(const Notice& notice, const Person& person,
                          const std::string& organization) {
  return boost::json::serialize(
      boost::json::object{{"to", person.email},
                          {"toName", person.first_name + " " + person.last_name},
                          {"values", values_of(notice, person, organization)}});
}

// The email payload of each notice ('' for a recipient without an address), for one
// organisation's notices: its name and its recipients are read once for all of them.
awaitable<void> add_emails(db::Tx& tx, Directory& directory, const Uuid& organization_id,
                           const std::vector<std::size_t>& of_organization,
                           const std::vector<Notice>& notices, std::vector<std::string>& emails) {
  std::set<Uuid> unique;
  for (auto index : of_organization) unique.insert(notices[index].user_id);
  const std::vector<Uuid> user_ids(unique.begin(), unique.end());
  auto people = co_await directory.people(tx, organization_id, user_ids);
  auto organization = co_await directory.organization_name(tx, organization_id);
  for (auto index : of_organization) {
    auto person = people.find(notices[index].user_id);
    if (person == people.end() || person->second.email.empty()) continue;
    emails[index] = email_payload(notices[index], person->second, organization);
  }
}

awaitable<std::vector<std::string>> emails_of(db::Tx& tx, Directory& directory,
                                              const std::vector<Notice>& notices) {
  std::map<Uuid, std::vector<std::size_t>> by_organization;
  for (std::size_t i = 0; i < notices.size(); ++i)
    by_organization[notices[i].organization_id].push_back(i);
  std::vector<std::string> emails(notices.size());
  for (const auto& [organization_id, of_organization] : by_organization)
    co_await add_emails(tx, directory, organization_id, of_organization, notices, emails);
  co_return emails;
}

}  // namespace

awaitable<void> Inbox::enqueue(db::Tx& tx, Notice notice) {
  std::vector<Notice> notices;
  notices.push_back(std::move(notice));
  co_await enqueue_many(tx, std::move(notices));
}

awaitable<void> Inbox::enqueue_many(db::Tx& tx, std::vector<Notice> notices) {
  if (notices.empty()) co_return;
  std::vector<std::string> emails(notices.size());
  if (directory_) emails = co_await emails_of(tx, *directory_, notices);
  co_await store::insert_many(tx, notices, emails);  // (moves the notices' texts)
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
  std::map<Uuid, std::vector<const Event*>> by_organization;
  for (const auto& event : events) by_organization[event.organization_id].push_back(&event);
  for (const auto& [organization_id, of_organization] : by_organization) {
    // Most organisations have no endpoint: their events cost one indexed read, no body.
    auto taken = co_await outbox_store::subscribed_event_types(tx, organization_id);
    if (taken.empty()) continue;
    std::vector<outbox_store::NewEvent> published;
    for (const auto* event : of_organization) {
      if (!taken.contains("*") && !taken.contains(event->event_type)) continue;
      published.push_back(
          {.event_type = event->event_type, .data = boost::json::serialize(event->data)});
    }
    co_await outbox_store::insert_webhook_events(tx, organization_id, published);
  }
}

}  // namespace payrollx::notification
