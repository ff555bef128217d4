// Writing notices and events in the caller's transaction: the inbox rows, the rendered emails
// (when email is on) and the webhook deliveries, each kind in a bounded number of statements.
// They exist only if their cause committed; the dispatchers are woken at that commit.
#include <boost/json/serialize.hpp>
#include <map>
#include <set>

#include "core/db/pool.hpp"
#include "core/time.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/store.hpp"
#include "modules/notification/templates.hpp"

namespace payrollx::notification {
namespace {

using boost::asio::awaitable;
using Values = std::map<std::string, std::string, std::less<>>;

std::string text_of(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_null()) return {};
  return boost::json::serialize(value);
}

void add_values(Values& values, const boost::json::value& object) {
  if (!object.is_object()) return;
  for (const auto& [key, value] : object.as_object()) values[std::string(key)] = text_of(value);
}

// What the template of a notice may show: its data, its email-only values, its recipient and
// organisation.
Values values_of(const Notice& notice, const Person& person, const std::string& organization) {
  Values values;
  add_values(values, notice.data);
  add_values(values, notice.email_only);
  values["recipient.firstName"] = person.first_name;
  values["recipient.lastName"] = person.last_name;
  values["organization.name"] = organization;
  return values;
}

// What the outbox keeps of an email: its HTML part is made from the text when it is sent.
std::string email_payload(const Person& person, const Rendered& rendered) {
  return boost::json::serialize(
      boost::json::object{{"to", person.email},
                          {"toName", person.first_name + " " + person.last_name},
                          {"subject", rendered.subject},
                          {"text", rendered.text}});
}

// The emails of one organisation's notices: its overrides of the templates, its name and its
// recipients are read once for all of them.
awaitable<void> add_emails(db::Tx& tx, Directory& directory, const Uuid& organization_id,
                           const std::vector<const Notice*>& notices,
                           std::vector<outbox_store::NewEmail>& emails) {
  std::set<Uuid> unique;
  for (const auto* notice : notices) unique.insert(notice->user_id);
  const std::vector<Uuid> user_ids(unique.begin(), unique.end());
  auto people = co_await directory.people(tx, organization_id, user_ids);
  auto organization = co_await directory.organization_name(tx, organization_id);
  auto stored = co_await outbox_store::templates(tx, organization_id);
  std::map<std::string, Template, std::less<>> overrides;
  for (auto& own : stored) overrides[own.event_type] = Template{own.subject, own.body};

  for (const auto* notice : notices) {
    auto person = people.find(notice->user_id);
    if (person == people.end() || person->second.email.empty()) continue;
    auto own = overrides.find(notice->event_type);
    auto chosen = own != overrides.end() ? own->second : default_template(notice->event_type);
    auto rendered = render(chosen, values_of(*notice, person->second, organization));
    emails.push_back({.organization_id = organization_id,
                      .event_id = Uuid::random(),
                      .event_type = notice->event_type,
                      .recipient_id = notice->user_id,
                      .payload = email_payload(person->second, rendered)});
  }
}

awaitable<void> queue_emails(db::Tx& tx, Directory& directory, const std::vector<Notice>& notices) {
  std::map<Uuid, std::vector<const Notice*>> by_organization;
  for (const auto& notice : notices) by_organization[notice.organization_id].push_back(&notice);
  std::vector<outbox_store::NewEmail> emails;
  for (const auto& [organization_id, of_organization] : by_organization)
    co_await add_emails(tx, directory, organization_id, of_organization, emails);
  co_await outbox_store::insert_emails(tx, emails);
}

awaitable<void> insert_inbox_rows(db::Tx& tx, std::vector<Notice>& notices) {
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

// The webhook body: {id,type,createdAt,organizationId,data}.
std::string event_body(const Uuid& id, const Event& event) {
  return boost::json::serialize(boost::json::object{{"id", id.str()},
                                                    {"type", event.event_type},
                                                    {"createdAt", to_rfc3339(now())},
                                                    {"organizationId", event.organization_id.str()},
                                                    {"data", event.data}});
}

}  // namespace

awaitable<void> Inbox::enqueue(db::Tx& tx, Notice notice) {
  std::vector<Notice> notices;
  notices.push_back(std::move(notice));
  co_await enqueue_many(tx, std::move(notices));
}

awaitable<void> Inbox::enqueue_many(db::Tx& tx, std::vector<Notice> notices) {
  if (notices.empty()) co_return;
  if (directory_) co_await queue_emails(tx, *directory_, notices);
  co_await insert_inbox_rows(tx, notices);  // (moves the notices' texts)
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
      auto id = Uuid::random();
      published.push_back(
          {.id = id, .event_type = event->event_type, .body = event_body(id, *event)});
    }
    co_await outbox_store::insert_webhook_events(tx, organization_id, published);
  }
}

}  // namespace payrollx::notification
