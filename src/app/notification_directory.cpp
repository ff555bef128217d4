#include "app/notification_directory.hpp"

namespace payrollx {

boost::asio::awaitable<std::map<Uuid, notification::Person>> NotificationDirectory::people(
    db::Tx& tx, const Uuid& organization_id, const std::vector<Uuid>& user_ids) {
  auto users = co_await users_.active_users(tx, organization_id, user_ids);
  std::map<Uuid, notification::Person> people;
  for (auto& user : users)
    people.emplace(user.id, notification::Person{.email = std::move(user.email),
                                                 .first_name = std::move(user.first_name),
                                                 .last_name = std::move(user.last_name)});
  co_return people;
}

boost::asio::awaitable<std::string> NotificationDirectory::organization_name(
    db::Tx& tx, const Uuid& organization_id) {
  auto organization = co_await organizations_.get(tx, organization_id);
  co_return organization.name;
}

}  // namespace payrollx
