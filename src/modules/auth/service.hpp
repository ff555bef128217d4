#pragma once
// The auth module's rules (Service::Impl), called by routes.cpp and by the public Service.
// service.cpp: construction, signup, super admins; sessions.cpp: sign-in, refresh rotation,
// logout, invitation accept, password change; users.cpp: the organisation's users.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/rate_limit.hpp"
#include "modules/auth/auth.hpp"
#include "modules/auth/store.hpp"
#include "modules/organization/organization.hpp"

namespace payrollx::auth {

inline constexpr std::size_t k_name_max_length = 100;
inline constexpr std::size_t k_organization_name_max_length = 200;
// An account takes this many times a client's sign-in attempts per minute, from all clients
// together: enough to bound guessing from many addresses, more than one address can send (so
// one address cannot exhaust it and keep the owner out).
inline constexpr int k_account_limit_factor = 10;

// Where a request comes from: for throttling and the audits.
struct Origin {
  std::string client_address;
  std::string request_id;
};

// What signup, login, refresh and invitation accept answer.
struct SignedIn {
  std::string access_token;
  std::string refresh_token;
  std::chrono::seconds expires_in{};
  User user;
};

struct Signup {
  std::string email;  // normalized and checked by the caller
  std::string password;
  std::string first_name;
  std::string last_name;
  std::string organization_name;
  std::string base_currency;
};

struct SignedUp {
  SignedIn session;
  organization::Organization organization;
};

struct UserChange {
  std::optional<Role> role;
  std::optional<bool> is_active;
};

struct UserPage {
  std::vector<User> users;
  std::optional<http::Keyset> next;
};

struct Service::Impl {
  Impl(db::Pool& pool, organization::Service& organizations, wallet::Service& wallets,
       compliance::AuditLog& audit, notification::Inbox& inbox, const TokenSigner& tokens,
       Options options);

  boost::asio::awaitable<SignedUp> signup(Signup input, Origin origin);
  boost::asio::awaitable<User> create_super_admin(std::string email, std::string password,
                                                  std::string first_name, std::string last_name);

  boost::asio::awaitable<SignedIn> login(std::string email, std::string password, Origin origin);
  boost::asio::awaitable<void> purge_stale_lockouts();
  boost::asio::awaitable<SignedIn> refresh(std::string token, Origin origin);
  boost::asio::awaitable<void> logout(std::string token, Origin origin);
  boost::asio::awaitable<SignedIn> accept_invitation(std::string token, std::string password,
                                                     Origin origin);
  boost::asio::awaitable<void> change_password(Principal caller, std::string current_password,
                                               std::string new_password, Origin origin);

  boost::asio::awaitable<User> me(Principal caller);
  boost::asio::awaitable<UserPage> list_users(Uuid organization_id, http::PageRequest page);
  boost::asio::awaitable<Invitation> invite(db::Tx& tx, const NewInvitation& input,
                                            const compliance::Actor& actor);
  // invite() in a transaction of its own.
  boost::asio::awaitable<Invitation> invite(NewInvitation input, compliance::Actor actor);
  boost::asio::awaitable<User> update_user(Principal caller, Uuid id, UserChange change,
                                           compliance::Actor actor);

 private:
  // 429 rate_limited with Retry-After when `key` (a client's) has used up its attempts.
  void throttle(const std::string& key);
  // The same for sign-ins to one account, from every client together.
  void throttle_account(const std::string& email);
  // Inserts the user; 409 when the email is taken.
  boost::asio::awaitable<User> insert_user(db::Tx& tx, const NewUser& user);
  // A refresh token `token_id` in `family_id` and an access token carrying that family as sid.
  boost::asio::awaitable<SignedIn> open_session(db::Tx& tx, const User& user, const Uuid& family_id,
                                                const Uuid& token_id);
  // The failure half of login: counts it (locking the account at the threshold) and records it.
  boost::asio::awaitable<void> record_failed_login(const std::optional<Credentials>& found,
                                                   bool wrong_password, const Origin& origin);

  db::Pool& pool_;
  organization::Service& organizations_;
  wallet::Service& wallets_;
  compliance::AuditLog& audit_;
  notification::Inbox& inbox_;
  const TokenSigner& tokens_;
  Options options_;
  Store store_;
  RateLimiter limiter_;
  RateLimiter account_limiter_;
};

}  // namespace payrollx::auth
