// The organisation's users: the caller's own profile, the list, invitations and changes of role
// or activity. Every query is scoped to the caller's organisation.
#include <fmt/format.h>

#include "core/db/pool.hpp"
#include "core/email.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "modules/auth/service.hpp"
#include "modules/auth/tokens.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/notification/notification.hpp"

namespace payrollx::auth {

using boost::asio::awaitable;

namespace {

void check_invitation(const NewInvitation& input) {
  std::vector<FieldError> errors;
  if (!is_valid_email(input.email)) errors.push_back({"email", "must be a valid email address"});
  for (const auto& [field, name] :
       {std::pair{"firstName", &input.first_name}, {"lastName", &input.last_name}})
    if (name->empty() || json::utf8_length(*name) > k_name_max_length)
      errors.push_back({field, fmt::format("must be 1 to {} characters", k_name_max_length)});
  if (input.role == Role::super_admin) errors.push_back({"role", "cannot be SUPER_ADMIN"});
  if (!errors.empty()) throw validation_failed(std::move(errors));
}

bool is_active_admin(const User& user) {
  return user.is_active && user.role == Role::org_admin;
}

}  // namespace

awaitable<User> Service::Impl::me(Principal caller) {
  auto found = co_await store_.user_by_id(caller.user_id, caller.organization_id);
  if (!found) throw unauthorized();
  co_return std::move(*found);
}

awaitable<UserPage> Service::Impl::list_users(Uuid organization_id, http::PageRequest page) {
  UserPage result;
  result.users = co_await store_.list_users(organization_id, page);
  if (result.users.size() > static_cast<std::size_t>(page.limit)) {
    result.users.pop_back();
    result.next = http::Keyset{result.users.back().created_at, result.users.back().id};
  }
  co_return result;
}

awaitable<Invitation> Service::Impl::invite(NewInvitation input, compliance::Actor actor) {
  auto body = [&](db::Tx& tx) -> awaitable<Invitation> {
    co_return co_await invite(tx, input, actor);
  };
  co_return co_await pool_.transaction(body);
}

awaitable<Invitation> Service::Impl::invite(db::Tx& tx, const NewInvitation& input,
                                            const compliance::Actor& actor) {
  NewInvitation checked = input;
  checked.email = normalize_email(input.email);
  check_invitation(checked);
  const NewUser new_user{.id = Uuid::random(),
                         .organization_id = checked.organization_id,
                         .email = checked.email,
                         .first_name = checked.first_name,
                         .last_name = checked.last_name,
                         .role = checked.role,
                         .password_hash = std::nullopt};
  auto user = co_await insert_user(tx, new_user);

  auto token = random_token();
  const auto invitation_id = Uuid::random();
  const auto expires_at = co_await Store::insert_invitation(
      tx, invitation_id, user.id, checked.organization_id, token_digest(token),
      options_.invitation_ttl, actor.user_id);

  compliance::AuditEntry entry{.organization_id = checked.organization_id,
                               .actor = actor,
                               .action = "user.invited",
                               .entity_type = "user",
                               .entity_id = user.id,
                               .before = nullptr,
                               .after = to_json(user)};
  co_await audit_.append(tx, std::move(entry));

  // The token is a secret: it travels in the invite answer and the invitation email, never in
  // data (the inbox, webhooks).
  notification::Notice notice{
      .organization_id = checked.organization_id,
      .user_id = user.id,
      .event_type = "user.invited",
      .title = "You are invited to PayrollX",
      .body = fmt::format("You have been invited to join your organisation on PayrollX as {}.",
                          to_string(user.role)),
      .data = boost::json::object{{"invitationId", invitation_id.str()},
                                  {"role", to_string(user.role)},
                                  {"expiresAt", to_rfc3339(expires_at)}},
      .email_only = {{"token", token}}};
  notification::Event event{.organization_id = checked.organization_id,
                            .event_type = "user.invited",
                            .data = {{"userId", user.id.str()},
                                     {"invitationId", invitation_id.str()},
                                     {"role", to_string(user.role)},
                                     {"expiresAt", to_rfc3339(expires_at)}}};
  co_await inbox_.enqueue(tx, std::move(notice));
  co_await inbox_.publish(tx, std::move(event));

  Invitation invitation{
      .user = std::move(user), .token = std::move(token), .expires_at = expires_at};
  co_return invitation;
}

awaitable<User> Service::Impl::update_user(Principal caller, Uuid id, UserChange change,
                                           compliance::Actor actor) {
  const Uuid organization_id = caller.org();
  auto body = [&](db::Tx& tx) -> awaitable<User> {
    // The target and all active admins, locked: concurrent demotions cannot both pass the
    // "last active ORG_ADMIN" check.
    auto locked = co_await Store::lock_user_and_admins(tx, organization_id, id);
    auto target =
        std::find_if(locked.begin(), locked.end(), [&](const User& u) { return u.id == id; });
    if (target == locked.end()) throw not_found("The user does not exist.");
    const User before = *target;
    User after = before;
    if (change.role) after.role = *change.role;
    if (change.is_active) after.is_active = *change.is_active;
    if (after.role == before.role && after.is_active == before.is_active) co_return before;

    const bool self = id == caller.user_id;
    if (self && (!after.is_active || after.role != Role::org_admin))
      throw invalid_state("You cannot deactivate or demote yourself.");
    if (is_active_admin(before) && !is_active_admin(after)) {
      auto admins = std::count_if(locked.begin(), locked.end(), is_active_admin);
      if (admins <= 1)
        throw invalid_state("The organisation's last active ORG_ADMIN cannot be removed.");
    }

    auto updated = co_await Store::update_user(tx, after);
    if (before.is_active && !updated.is_active)
      co_await Store::revoke_sessions(tx, id, std::nullopt);
    compliance::AuditEntry entry{.organization_id = organization_id,
                                 .actor = actor,
                                 .action = "user.updated",
                                 .entity_type = "user",
                                 .entity_id = id,
                                 .before = to_json(before),
                                 .after = to_json(updated)};
    co_await audit_.append(tx, std::move(entry));
    co_return updated;
  };
  co_return co_await pool_.transaction(body);
}

}  // namespace payrollx::auth
