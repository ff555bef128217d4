// Sign-in and sessions. A session is a refresh-token family: every refresh claims the presented
// token with one conditional UPDATE and adds its successor to the family; presenting a token
// that was already rotated means it leaked, so the whole family is revoked.
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/client_address.hpp"
#include "core/log.hpp"
#include "core/offload.hpp"
#include "modules/auth/passwords.hpp"
#include "modules/auth/service.hpp"
#include "modules/auth/tokens.hpp"

namespace payrollx::auth {

using boost::asio::awaitable;

namespace {

// One answer for every failed sign-in, whatever the reason: nothing to learn from it.
Problem invalid_credentials() {
  return unauthorized("Invalid email or password.");
}
Problem invalid_refresh_token() {
  return unauthorized("The refresh token is not valid.");
}
Problem invalid_invitation() {
  return unauthorized("The invitation is not valid.");
}

SecurityEvent event_of(std::string_view event, const std::optional<Uuid>& organization_id,
                       const std::optional<Uuid>& user_id, const Origin& origin) {
  return {.organization_id = organization_id,
          .user_id = user_id,
          .event = event,
          .client_address = origin.client_address};
}

}  // namespace

awaitable<SignedIn> Service::Impl::login(std::string email, std::string password, Origin origin) {
  const auto client = http::throttle_key(origin.client_address);
  throttle("login:" + client);
  throttle_account(email);
  const auto lookup = co_await store_.credentials_by_email(email, client);
  const auto& found = lookup.found;
  // Always the same verification work (passwords.hpp), so that timing does not tell what was
  // wrong, nor whether the account exists or was imported.
  const Verification verification{.legacy_hashes_remain = lookup.legacy_hashes_remain};
  const bool password_ok = co_await offload([&] {
    if (!found || !found->password_hash) {
      verify_nothing(password, verification);
      return false;
    }
    return verify_password(*found->password_hash, password, verification);
  });
  if (!found || !password_ok || !found->user.is_active || found->locked) {
    co_await record_failed_login(found, !password_ok, origin);
    throw invalid_credentials();
  }

  const User& user = found->user;
  // An imported bcrypt hash becomes Argon2id now that the password is known.
  std::optional<std::string> successor;
  if (needs_rehash(*found->password_hash))
    successor = co_await offload([&] { return hash_password(password); });
  auto body = [&](db::Tx& tx) -> awaitable<SignedIn> {
    if (successor) {
      const bool rehashed =
          co_await Store::rehash_password(tx, user, *found->password_hash, *successor);
      if (rehashed) {
        const auto event = event_of("password.rehashed", user.organization_id, user.id, origin);
        co_await Store::record_event(tx, event);
      }
    }
    co_await Store::reset_failed_logins(tx, user.id, client);
    const auto event = event_of("login.succeeded", user.organization_id, user.id, origin);
    co_await Store::record_event(tx, event);
    co_return co_await open_session(tx, user, Uuid::random(), Uuid::random());
  };
  co_return co_await pool_.transaction(body);
}

awaitable<void> Service::Impl::purge_stale_lockouts() {
  auto purged = co_await store_.purge_stale_lockouts();
  if (purged > 0) log::info("auth.lockouts_purged", {{"count", purged}});
}

awaitable<void> Service::purge_stale_lockouts() {
  co_await impl_->purge_stale_lockouts();
}

awaitable<void> Service::Impl::record_failed_login(const std::optional<Credentials>& found,
                                                   bool wrong_password, const Origin& origin) {
  const auto user_id = found ? std::optional<Uuid>(found->user.id) : std::nullopt;
  const auto organization_id = found ? found->user.organization_id : std::nullopt;
  // Only a wrong password of a usable account moves its client towards the lockout.
  const bool counts = found && found->password_hash && found->user.is_active && wrong_password;
  auto body = [&](db::Tx& tx) -> awaitable<void> {
    const auto failed = event_of("login.failed", organization_id, user_id, origin);
    co_await Store::record_event(tx, failed);
    if (!counts) co_return;
    const bool locked =
        co_await Store::record_failed_login(tx, *user_id, http::throttle_key(origin.client_address),
                                            options_.lockout_threshold, options_.lockout_duration);
    if (!locked) co_return;
    const auto lock = event_of("login.locked", organization_id, user_id, origin);
    co_await Store::record_event(tx, lock);
    log::warn("auth.client_locked_out", {{"userId", user_id->str()}});
  };
  co_await pool_.transaction(body);
}

awaitable<SignedIn> Service::Impl::refresh(std::string token, Origin origin) {
  const auto digest = token_digest(token);
  auto body = [&](db::Tx& tx) -> awaitable<std::optional<SignedIn>> {
    const auto successor = Uuid::random();
    auto claimed = co_await Store::claim_token(tx, digest, successor);
    if (claimed) co_return co_await open_session(tx, claimed->user, claimed->family_id, successor);

    auto found = co_await Store::find_token(tx, digest);
    if (found && found->spent) {
      // Reuse of a rotated token: someone else holds the family. End it for everyone.
      co_await Store::revoke_family(tx, found->family.family_id);
      const auto event =
          event_of("refresh.reused", found->family.organization_id, found->family.user_id, origin);
      co_await Store::record_event(tx, event);
      log::warn("auth.refresh_token_reused", {{"userId", found->family.user_id.str()},
                                              {"familyId", found->family.family_id.str()}});
    }
    co_return std::nullopt;
  };
  // The revocation commits; only then does the caller get its 401.
  auto session = co_await pool_.transaction(body);
  if (!session) throw invalid_refresh_token();
  co_return std::move(*session);
}

awaitable<void> Service::Impl::logout(std::string token, Origin origin) {
  const auto digest = token_digest(token);
  auto body = [&](db::Tx& tx) -> awaitable<void> {
    auto family = co_await Store::revoke_family_of(tx, digest);
    if (!family) co_return;
    const auto event =
        event_of("session.revoked", family->organization_id, family->user_id, origin);
    co_await Store::record_event(tx, event);
  };
  co_await pool_.transaction(body);
}

awaitable<SignedIn> Service::Impl::accept_invitation(std::string token, std::string password,
                                                     Origin origin) {
  const auto digest = token_digest(token);
  // A cheap look first, so that a bad token costs no Argon2id; the claim below decides.
  const bool open = co_await store_.invitation_open(digest);
  if (!open) throw invalid_invitation();
  const auto password_hash = co_await offload([&] { return hash_password(password); });
  auto body = [&](db::Tx& tx) -> awaitable<SignedIn> {
    auto invitation = co_await Store::claim_invitation(tx, digest);
    if (!invitation) throw invalid_invitation();
    auto user = co_await Store::activate_invited(tx, *invitation, password_hash);
    if (!user) throw invalid_invitation();  // deactivated since: the claim rolls back
    const auto event = event_of("invitation.accepted", user->organization_id, user->id, origin);
    co_await Store::record_event(tx, event);
    co_return co_await open_session(tx, *user, Uuid::random(), Uuid::random());
  };
  co_return co_await pool_.transaction(body);
}

awaitable<void> Service::Impl::change_password(Principal caller, std::string current_password,
                                               std::string new_password, Origin origin) {
  // Bounds guessing with a stolen access token.
  throttle("password:" + caller.user_id.str());
  const auto found = co_await store_.credentials_by_id(caller.user_id, caller.organization_id);
  if (!found) throw unauthorized();
  const bool password_ok = co_await offload([&] {
    if (!found->password_hash) {
      verify_nothing(current_password);
      return false;
    }
    return verify_password(*found->password_hash, current_password);
  });
  if (!password_ok) throw validation_failed("currentPassword", "is not correct");

  const auto password_hash = co_await offload([&] { return hash_password(new_password); });
  auto body = [&](db::Tx& tx) -> awaitable<void> {
    const bool changed =
        co_await Store::set_password(tx, caller.user_id, caller.organization_id, password_hash);
    if (!changed) throw unauthorized();
    // Every other session ends; the one this request came from (sid) stays signed in.
    co_await Store::revoke_sessions(tx, caller.user_id, caller.session_id);
    const auto event = event_of("password.changed", caller.organization_id, caller.user_id, origin);
    co_await Store::record_event(tx, event);
  };
  co_await pool_.transaction(body);
}

}  // namespace payrollx::auth
