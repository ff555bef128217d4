#include "modules/auth/store.hpp"

#include "core/db/pool.hpp"

namespace payrollx::auth {

namespace {

using boost::asio::awaitable;

// Every query that answers users selects the columns user_from() reads.
// One row whether or not the email is known (its user's columns are then NULL), with whether
// any imported bcrypt hash remains (users_legacy_password_idx).
constexpr db::Query k_credentials_by_email{
    "auth.credentials_by_email",
    "SELECT u.id, u.email, u.first_name, u.last_name, u.role, u.organization_id, u.is_active,"
    "  u.created_at, u.password_hash, EXISTS (SELECT 1 FROM auth.login_lockouts l"
    "  WHERE l.user_id = u.id AND l.client_key = $2 AND l.locked_until > now()) AS locked,"
    "  legacy.remain AS legacy_hashes_remain "
    "FROM (SELECT EXISTS (SELECT 1 FROM auth.users WHERE password_hash LIKE '$2%') AS remain)"
    "  AS legacy LEFT JOIN auth.users u ON lower(u.email) = $1"};

constexpr db::Query k_credentials_by_id{
    "auth.credentials_by_id",
    "SELECT id, email, first_name, last_name, role, organization_id, is_active, created_at, "
    "password_hash, false AS locked "
    "FROM auth.users WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2"};

// A lookup by primary key on every authenticated /auth/me: shared (pipelined) by the requests
// of an io thread.
constexpr db::Query k_user_by_id{
    .name = "auth.user_by_id",
    .sql =
        "SELECT id, email, first_name, last_name, role, organization_id, is_active, created_at "
        "FROM auth.users WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2",
    .shared = true};

// Whether a token's principal still stands (a money-moving request re-checks that the caller's
// user and session still stand): two primary-key and index lookups in one statement, in the
// money request's own transaction.
constexpr db::Query k_standing{
    "auth.standing",
    "SELECT u.role, u.is_active, EXISTS (SELECT 1 FROM auth.refresh_tokens t "
    "  WHERE t.family_id = $3 AND t.user_id = u.id AND t.revoked_at IS NULL) AS session_live "
    "FROM auth.users u WHERE u.id = $1 AND u.organization_id IS NOT DISTINCT FROM $2"};

constexpr db::Query k_active_users{
    "auth.active_users",
    "SELECT id, email, first_name, last_name, role, organization_id, is_active, created_at "
    "FROM auth.users WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND is_active"};

constexpr db::Query k_list_users{
    "auth.list_users",
    "SELECT id, email, first_name, last_name, role, organization_id, is_active, created_at "
    "FROM auth.users WHERE organization_id = $1 "
    "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};

constexpr db::Query k_invitation_open{
    "auth.invitation_open",
    "SELECT EXISTS (SELECT 1 FROM auth.invitations WHERE token_hash = decode($1, 'hex') "
    "AND accepted_at IS NULL AND expires_at > now()) AS open"};

constexpr db::Query k_insert_user{
    "auth.insert_user",
    "INSERT INTO auth.users (id, organization_id, email, first_name, last_name, role, "
    "password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "RETURNING id, email, first_name, last_name, role, organization_id, is_active, created_at"};

// Locks in id order: two admins changing each other lock the same rows in the same order.
constexpr db::Query k_lock_user_and_admins{
    "auth.lock_user_and_admins",
    "SELECT id, email, first_name, last_name, role, organization_id, is_active, created_at "
    "FROM auth.users WHERE organization_id = $1 "
    "AND (id = $2 OR (role = 'ORG_ADMIN' AND is_active)) ORDER BY id FOR UPDATE"};

constexpr db::Query k_update_user{
    "auth.update_user",
    "UPDATE auth.users SET role = $3, is_active = $4, updated_at = now() "
    "WHERE id = $1 AND organization_id = $2 "
    "RETURNING id, email, first_name, last_name, role, organization_id, is_active, created_at"};

constexpr db::Query k_set_password{"auth.set_password",
                                   "UPDATE auth.users SET password_hash = $3, updated_at = now() "
                                   "WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2"};

// An imported hash replaced at sign-in, unless the password changed meanwhile. $1 id,
// $2 organization_id, $3 the hash that was checked, $4 its Argon2id successor.
constexpr db::Query k_rehash_password{
    "auth.rehash_password",
    "UPDATE auth.users SET password_hash = $4, updated_at = now() "
    "WHERE id = $1 AND organization_id IS NOT DISTINCT FROM $2 AND password_hash = $3"};

// A client locked out of an account does not count further failures: the lock is not extended
// by them. $1 user, $2 client key, $3 threshold, $4 lockout seconds → whether this failure locked.
constexpr db::Query k_record_failed_login{
    "auth.record_failed_login",
    "INSERT INTO auth.login_lockouts AS l (user_id, client_key, failed_count, locked_until) "
    "VALUES ($1, $2, CASE WHEN $3 <= 1 THEN 0 ELSE 1 END, "
    "  CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $4) END) "
    "ON CONFLICT (user_id, client_key) DO UPDATE SET "
    "  failed_count = CASE WHEN l.failed_count + 1 >= $3 THEN 0 ELSE l.failed_count + 1 END, "
    "  locked_until = CASE WHEN l.failed_count + 1 >= $3 "
    "    THEN now() + make_interval(secs => $4) ELSE l.locked_until END, "
    "  updated_at = now() "
    "WHERE l.locked_until IS NULL OR l.locked_until <= now() "
    "RETURNING coalesce(locked_until > now(), false) AS locked"};

constexpr db::Query k_purge_stale_lockouts{
    "auth.purge_stale_lockouts",
    "DELETE FROM auth.login_lockouts WHERE updated_at < now() - interval '1 day' "
    "AND (locked_until IS NULL OR locked_until < now())"};

constexpr db::Query k_reset_failed_logins{
    "auth.reset_failed_logins",
    "DELETE FROM auth.login_lockouts WHERE user_id = $1 AND client_key = $2"};

constexpr db::Query k_insert_token{
    "auth.insert_refresh_token",
    "INSERT INTO auth.refresh_tokens (id, user_id, family_id, token_hash, expires_at) "
    "VALUES ($1, $2, $3, decode($4, 'hex'), now() + make_interval(secs => $5))"};

// The one conditional UPDATE that decides which of several concurrent refreshes wins: the
// others block on the row lock, then find it used. An inactive user's token is not claimed even
// when it is still live: a refresh racing the deactivation may have added a successor that the
// deactivation's revocation did not see.
constexpr db::Query k_claim_token{
    "auth.claim_refresh_token",
    "WITH claimed AS ("
    " UPDATE auth.refresh_tokens t SET used_at = now(), replaced_by = $2"
    " WHERE token_hash = decode($1, 'hex') AND used_at IS NULL AND revoked_at IS NULL"
    " AND expires_at > now()"
    " AND EXISTS (SELECT 1 FROM auth.users a WHERE a.id = t.user_id AND a.is_active)"
    " RETURNING family_id, user_id) "
    "SELECT c.family_id, u.id, u.email, u.first_name, u.last_name, u.role, u.organization_id, "
    "u.is_active, u.created_at FROM claimed c JOIN auth.users u ON u.id = c.user_id"};

// Only a rotated token counts as spent: presenting one that a logout or a password change
// revoked is refused, but is no sign that someone else holds the family.
constexpr db::Query k_find_token{"auth.find_refresh_token",
                                 "SELECT t.family_id, t.user_id, u.organization_id, "
                                 "t.used_at IS NOT NULL AS spent "
                                 "FROM auth.refresh_tokens t JOIN auth.users u ON u.id = t.user_id "
                                 "WHERE t.token_hash = decode($1, 'hex')"};

constexpr db::Query k_revoke_family{"auth.revoke_family",
                                    "UPDATE auth.refresh_tokens SET revoked_at = now() "
                                    "WHERE family_id = $1 AND revoked_at IS NULL"};

constexpr db::Query k_revoke_family_of{
    "auth.revoke_family_of_token",
    "WITH target AS (SELECT family_id FROM auth.refresh_tokens "
    "WHERE token_hash = decode($1, 'hex')), "
    "revoked AS (UPDATE auth.refresh_tokens t SET revoked_at = now() FROM target "
    "WHERE t.family_id = target.family_id AND t.revoked_at IS NULL "
    "RETURNING t.family_id, t.user_id) "
    "SELECT DISTINCT r.family_id, r.user_id, u.organization_id "
    "FROM revoked r JOIN auth.users u ON u.id = r.user_id"};

constexpr db::Query k_revoke_sessions{
    "auth.revoke_sessions",
    "UPDATE auth.refresh_tokens SET revoked_at = now() "
    "WHERE user_id = $1 AND revoked_at IS NULL AND family_id IS DISTINCT FROM $2"};

constexpr db::Query k_insert_invitation{
    "auth.insert_invitation",
    "INSERT INTO auth.invitations (id, user_id, organization_id, token_hash, expires_at, "
    "created_by) VALUES ($1, $2, $3, decode($4, 'hex'), now() + make_interval(secs => $5), $6) "
    "RETURNING expires_at"};

constexpr db::Query k_claim_invitation{
    "auth.claim_invitation",
    "UPDATE auth.invitations SET accepted_at = now() "
    "WHERE token_hash = decode($1, 'hex') AND accepted_at IS NULL AND expires_at > now() "
    "RETURNING user_id, organization_id"};

constexpr db::Query k_activate_invited{
    "auth.activate_invited",
    "UPDATE auth.users SET password_hash = $3, updated_at = now() "
    "WHERE id = $1 AND organization_id = $2 AND is_active "
    "RETURNING id, email, first_name, last_name, role, organization_id, is_active, created_at"};

constexpr db::Query k_insert_event{
    "auth.insert_audit_event",
    "INSERT INTO auth.audit_logs (organization_id, user_id, event, client_address) "
    "VALUES ($1, $2, $3, $4)"};

Role role_from(const db::Row& row) {
  auto role_text = row.get<std::string>("role");
  auto role = parse_role(role_text);
  if (!role) throw db::DecodeError("auth.users.role holds an unknown role: " + role_text);
  return *role;
}

User user_from(const db::Row& row) {
  return User{.id = row.get<Uuid>("id"),
              .email = row.get<std::string>("email"),
              .first_name = row.get<std::string>("first_name"),
              .last_name = row.get<std::string>("last_name"),
              .role = role_from(row),
              .organization_id = row.get<std::optional<Uuid>>("organization_id"),
              .is_active = row.get<bool>("is_active"),
              .created_at = row.get<Timestamp>("created_at")};
}

std::optional<Credentials> credentials_from(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return Credentials{.user = user_from(*row),
                     .password_hash = row->get<std::optional<std::string>>("password_hash"),
                     .locked = row->get<bool>("locked")};
}

std::optional<std::string_view> non_empty(std::string_view text) {
  return text.empty() ? std::nullopt : std::optional<std::string_view>(text);
}

}  // namespace

awaitable<SignInLookup> Store::credentials_by_email(std::string_view email,
                                                    std::string_view client_key) {
  auto result = co_await pool_.query(k_credentials_by_email, email, client_key);
  const auto row = result.one();
  SignInLookup lookup{.legacy_hashes_remain = row.get<bool>("legacy_hashes_remain")};
  if (row.get<std::optional<Uuid>>("id")) lookup.found = credentials_from(result);
  co_return lookup;
}

awaitable<std::optional<Credentials>> Store::credentials_by_id(
    const Uuid& id, const std::optional<Uuid>& organization_id) {
  co_return credentials_from(co_await pool_.query(k_credentials_by_id, id, organization_id));
}

awaitable<std::optional<User>> Store::user_by_id(const Uuid& id,
                                                 const std::optional<Uuid>& organization_id) {
  auto result = co_await pool_.query(k_user_by_id, id, organization_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return user_from(*row);
}

awaitable<std::optional<Standing>> Store::standing(db::Tx& tx, const Principal& principal) {
  auto result = co_await tx.query(k_standing, principal.user_id, principal.organization_id,
                                  principal.session_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return Standing{.role = role_from(*row),
                     .is_active = row->get<bool>("is_active"),
                     .session_live = row->get<bool>("session_live")};
}

awaitable<std::vector<User>> Store::active_users(db::Tx& tx, const Uuid& organization_id,
                                                 const std::vector<Uuid>& ids) {
  auto result = co_await tx.query(k_active_users, organization_id, ids);
  std::vector<User> users;
  for (auto row : result) users.push_back(user_from(row));
  co_return users;
}

awaitable<std::vector<User>> Store::list_users(const Uuid& organization_id,
                                               const http::PageRequest& page) {
  auto result = co_await pool_.query(k_list_users, organization_id, page.after_created_at(),
                                     page.after_id(), page.limit + 1);
  std::vector<User> users;
  users.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) users.push_back(user_from(row));
  co_return users;
}

awaitable<bool> Store::invitation_open(const std::string& digest) {
  auto result = co_await pool_.query(k_invitation_open, digest);
  co_return result.one().get<bool>("open");
}

awaitable<User> Store::insert_user(db::Tx& tx, const NewUser& user) {
  auto result =
      co_await tx.query(k_insert_user, user.id, user.organization_id, user.email, user.first_name,
                        user.last_name, to_string(user.role), user.password_hash);
  co_return user_from(result.one());
}

awaitable<std::vector<User>> Store::lock_user_and_admins(db::Tx& tx, const Uuid& organization_id,
                                                         const Uuid& id) {
  auto result = co_await tx.query(k_lock_user_and_admins, organization_id, id);
  std::vector<User> users;
  for (auto row : result) users.push_back(user_from(row));
  co_return users;
}

awaitable<User> Store::update_user(db::Tx& tx, const User& user) {
  auto result = co_await tx.query(k_update_user, user.id, user.organization_id,
                                  to_string(user.role), user.is_active);
  co_return user_from(result.one());
}

awaitable<bool> Store::set_password(db::Tx& tx, const Uuid& id,
                                    const std::optional<Uuid>& organization_id,
                                    const std::string& password_hash) {
  auto result = co_await tx.query(k_set_password, id, organization_id, password_hash);
  co_return result.affected() == 1;
}

awaitable<bool> Store::rehash_password(db::Tx& tx, const User& user, const std::string& checked,
                                       const std::string& successor) {
  auto result =
      co_await tx.query(k_rehash_password, user.id, user.organization_id, checked, successor);
  co_return result.affected() == 1;
}

awaitable<std::int64_t> Store::purge_stale_lockouts() {
  co_return (co_await pool_.query(k_purge_stale_lockouts)).affected();
}

awaitable<bool> Store::record_failed_login(db::Tx& tx, const Uuid& id, std::string_view client_key,
                                           int threshold, std::chrono::seconds lockout) {
  auto result = co_await tx.query(k_record_failed_login, id, client_key, threshold,
                                  static_cast<std::int64_t>(lockout.count()));
  auto row = result.first();
  co_return row && row->get<bool>("locked");
}

awaitable<void> Store::reset_failed_logins(db::Tx& tx, const Uuid& id,
                                           std::string_view client_key) {
  co_await tx.query(k_reset_failed_logins, id, client_key);
}

awaitable<void> Store::insert_token(db::Tx& tx, const NewToken& token) {
  co_await tx.query(k_insert_token, token.id, token.user_id, token.family_id, token.digest,
                    static_cast<std::int64_t>(token.ttl.count()));
}

awaitable<std::optional<ClaimedToken>> Store::claim_token(db::Tx& tx, const std::string& digest,
                                                          const Uuid& successor) {
  auto result = co_await tx.query(k_claim_token, digest, successor);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return ClaimedToken{.family_id = row->get<Uuid>("family_id"), .user = user_from(*row)};
}

awaitable<std::optional<UnclaimedToken>> Store::find_token(db::Tx& tx, const std::string& digest) {
  auto result = co_await tx.query(k_find_token, digest);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return UnclaimedToken{
      .family = {.family_id = row->get<Uuid>("family_id"),
                 .user_id = row->get<Uuid>("user_id"),
                 .organization_id = row->get<std::optional<Uuid>>("organization_id")},
      .spent = row->get<bool>("spent")};
}

awaitable<void> Store::revoke_family(db::Tx& tx, const Uuid& family_id) {
  co_await tx.query(k_revoke_family, family_id);
}

awaitable<std::optional<TokenFamily>> Store::revoke_family_of(db::Tx& tx,
                                                              const std::string& digest) {
  auto result = co_await tx.query(k_revoke_family_of, digest);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return TokenFamily{.family_id = row->get<Uuid>("family_id"),
                        .user_id = row->get<Uuid>("user_id"),
                        .organization_id = row->get<std::optional<Uuid>>("organization_id")};
}

awaitable<void> Store::revoke_sessions(db::Tx& tx, const Uuid& user_id,
                                       const std::optional<Uuid>& keep) {
  co_await tx.query(k_revoke_sessions, user_id, keep);
}

awaitable<Timestamp> Store::insert_invitation(db::Tx& tx, const Uuid& id, const Uuid& user_id,
                                              const Uuid& organization_id,
                                              const std::string& digest, std::chrono::seconds ttl,
                                              const std::optional<Uuid>& created_by) {
  auto result = co_await tx.query(k_insert_invitation, id, user_id, organization_id, digest,
                                  static_cast<std::int64_t>(ttl.count()), created_by);
  co_return result.one().get<Timestamp>("expires_at");
}

awaitable<std::optional<ClaimedInvitation>> Store::claim_invitation(db::Tx& tx,
                                                                    const std::string& digest) {
  auto result = co_await tx.query(k_claim_invitation, digest);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return ClaimedInvitation{.user_id = row->get<Uuid>("user_id"),
                              .organization_id = row->get<Uuid>("organization_id")};
}

awaitable<std::optional<User>> Store::activate_invited(db::Tx& tx,
                                                       const ClaimedInvitation& invitation,
                                                       const std::string& password_hash) {
  auto result = co_await tx.query(k_activate_invited, invitation.user_id,
                                  invitation.organization_id, password_hash);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return user_from(*row);
}

awaitable<void> Store::record_event(db::Tx& tx, const SecurityEvent& event) {
  co_await tx.query(k_insert_event, event.organization_id, event.user_id, event.event,
                    non_empty(event.client_address));
}

}  // namespace payrollx::auth
