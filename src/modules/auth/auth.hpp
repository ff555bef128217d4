#pragma once
// auth — users, passwords, sessions (refresh-token families), invitations and the security
// audit (auth.audit_logs). Signup is orchestrated here: organisation + settings + ORG_ADMIN
// user in one transaction.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/auth/principal.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx {
class TokenSigner;
namespace db {
class Pool;
class Tx;
}  // namespace db
namespace http {
class Router;
}
namespace organization {
class Service;
}
namespace compliance {
class AuditLog;
struct Actor;
}  // namespace compliance
namespace notification {
class Inbox;
}
namespace wallet {
class Service;
}
}  // namespace payrollx

namespace payrollx::auth {

struct Options {
  std::chrono::seconds refresh_token_ttl{30 * 24 * 3600};
  std::chrono::seconds invitation_ttl{7 * 24 * 3600};
  int rate_limit_per_minute = 30;  // login and signup, per client address and per account
  int lockout_threshold = 5;       // consecutive failed logins that lock the account
  std::chrono::seconds lockout_duration{900};
};

struct User {
  Uuid id;
  std::string email;
  std::string first_name;
  std::string last_name;
  Role role = Role::employee;
  std::optional<Uuid> organization_id;
  bool is_active = true;
  Timestamp created_at;
};

// {id,email,firstName,lastName,role,organizationId,isActive,createdAt}
// `storage`: where the object allocates (a stack buffer's resource when it is serialized at once).
boost::json::object to_json(const User& user, boost::json::storage_ptr storage = {});

struct Invitation {
  User user;
  std::string token;  // shown once; stored only as a hash
  Timestamp expires_at;
};

struct NewInvitation {
  Uuid organization_id;
  std::string email;
  std::string first_name;
  std::string last_name;
  Role role = Role::employee;
};

class Service {
 public:
  Service(db::Pool& pool, organization::Service& organizations, wallet::Service& wallets,
          compliance::AuditLog& audit, notification::Inbox& inbox, const TokenSigner& tokens,
          Options options);
  ~Service();

  // Creates an inactive-until-accepted user with an invitation, in the caller's transaction,
  // audited and notified in-app (event user.invited). 409 when the email is taken. Other
  // modules (employee with createUserAccount) call this.
  boost::asio::awaitable<Invitation> invite(db::Tx& tx, const NewInvitation& input,
                                            const compliance::Actor& actor);
  // Throws 401 unless the principal's user is active and its session live, 403 when its role
  // changed since the token was issued; in the caller's transaction. Every money request asks
  // (http::StandingCheck), so a deactivated or demoted user moves nothing from that moment on.
  boost::asio::awaitable<void> confirm_standing(db::Tx& tx, const Principal& principal);
  // The organisation's active users among `ids` (for notification emails), in the caller's
  // transaction; one statement.
  boost::asio::awaitable<std::vector<User>> active_users(db::Tx& tx, const Uuid& organization_id,
                                                         const std::vector<Uuid>& ids);
  // Forgets lockouts that ran out and failure counts untouched for a day (a background job):
  // an attacker rotating addresses leaves rows behind, which must not pile up for ever.
  boost::asio::awaitable<void> purge_stale_lockouts();
  // A SUPER_ADMIN (no organisation) for the CLI's create-super-admin. 400 for a bad email or
  // password, 409 when the email is taken.
  boost::asio::awaitable<User> create_super_admin(std::string email, std::string password,
                                                  std::string first_name, std::string last_name);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

void register_routes(http::Router& router, Service& service);

}  // namespace payrollx::auth
