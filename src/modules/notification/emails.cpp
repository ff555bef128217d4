#include "modules/notification/emails.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "modules/notification/notification.hpp"
#include "modules/notification/queue_store.hpp"

namespace payrollx::notification {
namespace {

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
boost::json::object values_of(const EmailSource& source, const Person& person,
                              const std::string& organization) {
  boost::json::object values;
  add_values(values, source.data);
  add_values(values, source.email_only);
  values["recipient.firstName"] = person.first_name;
  values["recipient.lastName"] = person.last_name;
  values["organization.name"] = organization;
  return values;
}

// What the outbox keeps of an email, {to,toName,values}: it is rendered with the
// organisation's template when it is sent.
std::string email_payload(const EmailSource& source, const Person& person,
                          const std::string& organization) {
  return boost::json::serialize(
      boost::json::object{{"to", person.email},
                          {"toName", person.first_name + " " + person.last_name},
                          {"values", values_of(source, person, organization)}});
}

}  // namespace

boost::asio::awaitable<void> queue_emails(db::Tx& tx, Directory& directory,
                                          const Uuid& organization_id,
                                          const std::vector<EmailSource>& sources,
                                          const std::optional<Timestamp>& created_at) {
  std::set<Uuid> unique;
  for (const auto& source : sources) unique.insert(source.user_id);
  const std::vector<Uuid> user_ids(unique.begin(), unique.end());
  auto people = co_await directory.people(tx, organization_id, user_ids);
  auto organization = co_await directory.organization_name(tx, organization_id);
  std::vector<queue_store::QueuedEmail> emails;
  emails.reserve(sources.size());
  for (const auto& source : sources) {
    auto person = people.find(source.user_id);
    if (person == people.end() || person->second.email.empty()) continue;
    emails.push_back({.notice_id = source.notice_id,
                      .event_type = source.event_type,
                      .recipient_id = source.user_id,
                      .payload = email_payload(source, person->second, organization)});
  }
  if (emails.empty()) co_return;
  co_await queue_store::insert_emails(tx, organization_id, emails, created_at);
}

}  // namespace payrollx::notification
