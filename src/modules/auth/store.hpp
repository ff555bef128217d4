#pragma once
// The auth module's SQL (schema auth only). Reads that need no transaction go through the pool;
// everything that writes takes the caller's open transaction.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/pagination.hpp"
#include "modules/auth/auth.hpp"

namespace payrollx::auth {

// A user with what sign-in needs to know.
struct Credentials {
  User user;
  std::optional<std::string> password_hash;
  bool locked = false;  // the signing-in client is locked out of this account
};

// A sign-in's lookup by email.
struct SignInLookup {
  std::optional<Credentials> found;   // none: no such email
  bool legacy_hashes_remain = false;  // some account still has an imported bcrypt hash
};

// What the database says of a token's principal now.
struct Standing {
  Role role = Role::employee;
  bool is_active = false;
  bool session_live = false;  // the token's session (refresh-token family) was not revoked
};

struct NewUser {
  Uuid id;
  std::optional<Uuid> organization_id;
  std::string email;  // normalized
  std::string first_name;
  std::string last_name;
  Role role = Role::employee;
  std::optional<std::string> password_hash;
};

struct NewToken {
  Uuid id;
  Uuid user_id;
  Uuid family_id;
  std::string digest;  // token_digest() of the token
  std::chrono::seconds ttl;
};

// A refresh token claimed for rotation, with its owner.
struct ClaimedToken {
  Uuid family_id;
  User user;
};

// The family a refresh token belongs to, and its owner.
struct TokenFamily {
  Uuid family_id;
  Uuid user_id;
  std::optional<Uuid> organization_id;
};

// A refresh token that could not be claimed.
struct UnclaimedToken {
  TokenFamily family;
  bool spent = false;  // already rotated (not merely revoked or expired)
};

struct ClaimedInvitation {
  Uuid user_id;
  Uuid organization_id;
};

struct SecurityEvent {
  std::optional<Uuid> organization_id;
  std::optional<Uuid> user_id;
  std::string_view event;  // "login.failed", ...
  std::string_view client_address;
};

class Store {
 public:
  explicit Store(db::Pool& pool) : pool_(pool) {}

  // --- autocommit reads
  // `client_key`: http::throttle_key of the client signing in, whose lockout `locked` tells.
  boost::asio::awaitable<SignInLookup> credentials_by_email(std::string_view email,
                                                            std::string_view client_key);
  // The user `id` of `organization_id` (none: a user without organisation).
  boost::asio::awaitable<std::optional<Credentials>> credentials_by_id(
      const Uuid& id, const std::optional<Uuid>& organization_id);
  // The same user without what sign-in needs: the hash is neither read nor sent.
  boost::asio::awaitable<std::optional<User>> user_by_id(
      const Uuid& id, const std::optional<Uuid>& organization_id);
  // Newest first, limit + 1 rows.
  boost::asio::awaitable<std::vector<User>> list_users(const Uuid& organization_id,
                                                       const http::PageRequest& page);
  boost::asio::awaitable<bool> invitation_open(const std::string& digest);
  // Deletes lockouts that ran out and counts older than a day; answers how many.
  boost::asio::awaitable<std::int64_t> purge_stale_lockouts();

  // --- in the caller's transaction
  static boost::asio::awaitable<std::vector<User>> active_users(db::Tx& tx,
                                                                const Uuid& organization_id,
                                                                const std::vector<Uuid>& ids);
  // nullopt when the principal's user is not (or no more) in its organisation.
  static boost::asio::awaitable<std::optional<Standing>> standing(db::Tx& tx,
                                                                  const Principal& principal);
  // Throws db::Error (unique violation on k_email_index) when the email is taken.
  static boost::asio::awaitable<User> insert_user(db::Tx& tx, const NewUser& user);
  // The target and every active ORG_ADMIN of the organisation, locked in id order.
  static boost::asio::awaitable<std::vector<User>> lock_user_and_admins(db::Tx& tx,
                                                                        const Uuid& organization_id,
                                                                        const Uuid& id);
  static boost::asio::awaitable<User> update_user(db::Tx& tx, const User& user);
  static boost::asio::awaitable<bool> set_password(db::Tx& tx, const Uuid& id,
                                                   const std::optional<Uuid>& organization_id,
                                                   const std::string& password_hash);
  // Replaces the hash `checked` (imported bcrypt) by `successor`; false when it changed since.
  static boost::asio::awaitable<bool> rehash_password(db::Tx& tx, const User& user,
                                                      const std::string& checked,
                                                      const std::string& successor);
  // Counts a failed sign-in of the client (its throttle key) unless it is already locked out of
  // the account; answers true when this failure locked it out.
  static boost::asio::awaitable<bool> record_failed_login(db::Tx& tx, const Uuid& id,
                                                          std::string_view client_key,
                                                          int threshold,
                                                          std::chrono::seconds lockout);
  static boost::asio::awaitable<void> reset_failed_logins(db::Tx& tx, const Uuid& id,
                                                          std::string_view client_key);

  static boost::asio::awaitable<void> insert_token(db::Tx& tx, const NewToken& token);
  // Marks the token used (and replaced by `successor`) when it is live; nullopt otherwise.
  static boost::asio::awaitable<std::optional<ClaimedToken>> claim_token(db::Tx& tx,
                                                                         const std::string& digest,
                                                                         const Uuid& successor);
  static boost::asio::awaitable<std::optional<UnclaimedToken>> find_token(
      db::Tx& tx, const std::string& digest);
  static boost::asio::awaitable<void> revoke_family(db::Tx& tx, const Uuid& family_id);
  // Revokes the token's whole family; answers it when anything in it was live.
  static boost::asio::awaitable<std::optional<TokenFamily>> revoke_family_of(
      db::Tx& tx, const std::string& digest);
  // Revokes every live family of the user except `keep`.
  static boost::asio::awaitable<void> revoke_sessions(db::Tx& tx, const Uuid& user_id,
                                                      const std::optional<Uuid>& keep);

  // Answers the invitation's expiry.
  static boost::asio::awaitable<Timestamp> insert_invitation(
      db::Tx& tx, const Uuid& id, const Uuid& user_id, const Uuid& organization_id,
      const std::string& digest, std::chrono::seconds ttl, const std::optional<Uuid>& created_by);
  static boost::asio::awaitable<std::optional<ClaimedInvitation>> claim_invitation(
      db::Tx& tx, const std::string& digest);
  // The invited user once their password is set; nullopt when the user is inactive.
  static boost::asio::awaitable<std::optional<User>> activate_invited(
      db::Tx& tx, const ClaimedInvitation& invitation, const std::string& password_hash);

  static boost::asio::awaitable<void> record_event(db::Tx& tx, const SecurityEvent& event);

 private:
  db::Pool& pool_;
};

// The unique index that makes an email registered once (its name is what PostgreSQL reports).
inline constexpr std::string_view k_email_index = "users_email_key";

}  // namespace payrollx::auth
