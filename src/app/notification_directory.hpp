#pragma once
// The notification module's Directory over the auth and organization modules: notification is a
// leaf and reads no other module, so the composition root tells it who its recipients are.
#include "modules/auth/auth.hpp"
#include "modules/notification/notification.hpp"
#include "modules/organization/organization.hpp"

namespace payrollx {

class NotificationDirectory final : public notification::Directory {
 public:
  NotificationDirectory(auth::Service& users, organization::Service& organizations)
      : users_(users), organizations_(organizations) {}

  boost::asio::awaitable<std::map<Uuid, notification::Person>> people(
      db::Tx& tx, const Uuid& organization_id, const std::vector<Uuid>& user_ids) override;
  boost::asio::awaitable<std::string> organization_name(db::Tx& tx,
                                                        const Uuid& organization_id) override;

 private:
  auth::Service& users_;
  organization::Service& organizations_;
};

}  // namespace payrollx
