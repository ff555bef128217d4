#include "modules/auth/service.hpp"

#include "core/auth/jwt.hpp"
#include "core/db/pool.hpp"
#include "core/email.hpp"
#include "core/error.hpp"
#include "core/http/client_address.hpp"
#include "core/json.hpp"
#include "core/offload.hpp"
#include "modules/auth/passwords.hpp"
#include "modules/auth/tokens.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::auth {

using boost::asio::awaitable;

boost::json::object to_json(const User& user, boost::json::storage_ptr storage) {
  // Ids as characters on the stack: the object copies them once, into its own storage.
  auto id = user.id.chars();
  boost::json::value organization_id(nullptr, storage);
  if (user.organization_id) {
    auto org = user.organization_id->chars();
    organization_id = boost::json::string_view(org.data(), org.size());
  }
  return {{{"id", boost::json::string_view(id.data(), id.size())},
           {"email", user.email},
           {"firstName", user.first_name},
           {"lastName", user.last_name},
           {"role", to_string(user.role)},
           {"organizationId", std::move(organization_id)},
           {"isActive", user.is_active},
           {"createdAt", to_rfc3339(user.created_at)}},
          std::move(storage)};
}

Service::Service(db::Pool& pool, organization::Service& organizations, wallet::Service& wallets,
                 compliance::AuditLog& audit, notification::Inbox& inbox, const TokenSigner& tokens,
                 Options options)
    : impl_(std::make_unique<Impl>(pool, organizations, wallets, audit, inbox, tokens, options)) {}

Service::~Service() = default;

awaitable<Invitation> Service::invite(db::Tx& tx, const NewInvitation& input,
                                      const compliance::Actor& actor) {
  return impl_->invite(tx, input, actor);
}

awaitable<std::vector<User>> Service::active_users(db::Tx& tx, const Uuid& organization_id,
                                                   const std::vector<Uuid>& ids) {
  return Store::active_users(tx, organization_id, ids);
}

awaitable<User> Service::create_super_admin(std::string email, std::string password,
                                            std::string first_name, std::string last_name) {
  return impl_->create_super_admin(std::move(email), std::move(password), std::move(first_name),
                                   std::move(last_name));
}

Service::Impl::Impl(db::Pool& pool, organization::Service& organizations, wallet::Service& wallets,
                    compliance::AuditLog& audit, notification::Inbox& inbox,
                    const TokenSigner& tokens, Options options)
    : pool_(pool),
      organizations_(organizations),
      wallets_(wallets),
      audit_(audit),
      inbox_(inbox),
      tokens_(tokens),
      options_(options),
      store_(pool),
      limiter_(options.rate_limit_per_minute, std::chrono::minutes(1)),
      account_limiter_(options.rate_limit_per_minute * k_account_limit_factor,
                       std::chrono::minutes(1)) {}

void Service::Impl::throttle(const std::string& key) {
  if (auto wait = limiter_.attempt(key)) throw rate_limited(static_cast<int>(wait->count()));
}

void Service::Impl::throttle_account(const std::string& email) {
  if (auto wait = account_limiter_.attempt(email))
    throw rate_limited(static_cast<int>(wait->count()));
}

awaitable<User> Service::Impl::insert_user(db::Tx& tx, const NewUser& user) {
  try {
    co_return co_await Store::insert_user(tx, user);
  } catch (const db::Error& e) {
    // The unique index decides, also between concurrent signups with one email.
    if (e.is_unique_violation() && e.constraint() == k_email_index)
      throw conflict("This email is already registered.");
    throw;
  }
}

awaitable<SignedIn> Service::Impl::open_session(db::Tx& tx, const User& user, const Uuid& family_id,
                                                const Uuid& token_id) {
  // A suspended organisation's members get no session (sign-in, refresh, invitations); the
  // refusal rolls back whatever the caller's transaction did, a rotated refresh token included.
  if (user.organization_id) co_await organizations_.require_active(tx, *user.organization_id);
  auto refresh_token = random_token();
  const NewToken row{.id = token_id,
                     .user_id = user.id,
                     .family_id = family_id,
                     .digest = token_digest(refresh_token),
                     .ttl = options_.refresh_token_ttl};
  co_await Store::insert_token(tx, row);
  const Principal principal{.user_id = user.id,
                            .organization_id = user.organization_id,
                            .role = user.role,
                            .token_id = Uuid::random().str(),
                            .session_id = family_id};
  SignedIn session{.access_token = tokens_.issue(principal, now()),
                   .refresh_token = std::move(refresh_token),
                   .expires_in = tokens_.ttl(),
                   .user = user};
  co_return session;
}

awaitable<SignedUp> Service::Impl::signup(Signup input, Origin origin) {
  throttle("signup:" + http::throttle_key(origin.client_address));
  // Hash before the transaction: no connection is held while Argon2id runs.
  const auto password_hash = co_await offload([&] { return hash_password(input.password); });
  auto body = [&](db::Tx& tx) -> awaitable<SignedUp> {
    const auto user_id = Uuid::random();
    const compliance::Actor actor{.user_id = user_id, .request_id = origin.request_id};
    const organization::NewOrganization new_organization{.name = input.organization_name,
                                                         .base_currency = input.base_currency};
    auto organization = co_await organizations_.create(tx, new_organization, actor);
    // The treasury: the organisation's money in its base currency, from its first moment.
    const wallet::NewWallet treasury{.owner_type = wallet::OwnerType::organization,
                                     .owner_id = organization.id,
                                     .currency = input.base_currency};
    co_await wallets_.open(tx, organization.id, treasury, actor);
    const NewUser new_user{.id = user_id,
                           .organization_id = organization.id,
                           .email = input.email,
                           .first_name = input.first_name,
                           .last_name = input.last_name,
                           .role = Role::org_admin,
                           .password_hash = password_hash};
    auto user = co_await insert_user(tx, new_user);
    compliance::AuditEntry entry{.organization_id = organization.id,
                                 .actor = actor,
                                 .action = "user.signed_up",
                                 .entity_type = "user",
                                 .entity_id = user.id,
                                 .before = nullptr,
                                 .after = to_json(user)};
    co_await audit_.append(tx, std::move(entry));
    auto session = co_await open_session(tx, user, Uuid::random(), Uuid::random());
    SignedUp result{.session = std::move(session), .organization = std::move(organization)};
    co_return result;
  };
  co_return co_await pool_.transaction(body);
}

awaitable<User> Service::Impl::create_super_admin(std::string email, std::string password,
                                                  std::string first_name, std::string last_name) {
  email = normalize_email(email);
  std::vector<FieldError> errors;
  if (!is_valid_email(email)) errors.push_back({"email", "must be a valid email address"});
  const auto password_length = json::utf8_length(password);
  if (password_length < k_password_min_length || password_length > k_password_max_length)
    errors.push_back({"password", fmt::format("must be {} to {} characters", k_password_min_length,
                                              k_password_max_length)});
  for (const auto& [field, name] : {std::pair{"firstName", &first_name}, {"lastName", &last_name}})
    if (name->empty() || json::utf8_length(*name) > k_name_max_length)
      errors.push_back({field, fmt::format("must be 1 to {} characters", k_name_max_length)});
  if (!errors.empty()) throw validation_failed(std::move(errors));

  const auto password_hash = co_await offload([&] { return hash_password(password); });
  auto body = [&](db::Tx& tx) -> awaitable<User> {
    const NewUser new_user{.id = Uuid::random(),
                           .organization_id = std::nullopt,
                           .email = email,
                           .first_name = first_name,
                           .last_name = last_name,
                           .role = Role::super_admin,
                           .password_hash = password_hash};
    auto user = co_await insert_user(tx, new_user);
    const SecurityEvent event{.organization_id = std::nullopt,
                              .user_id = user.id,
                              .event = "super_admin.created",
                              .client_address = {}};
    co_await Store::record_event(tx, event);
    co_return user;
  };
  co_return co_await pool_.transaction(body);
}

}  // namespace payrollx::auth
