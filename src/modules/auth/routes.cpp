// HTTP handlers of the auth module: decode and validate, call Service::Impl, encode.
#include <array>
#include <boost/json/monotonic_resource.hpp>

#include "core/currency.hpp"
#include "core/email.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/auth/passwords.hpp"
#include "modules/auth/service.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::auth {

namespace {

using boost::asio::awaitable;
namespace schema = http::schema;

constexpr json::StringRule k_email_rule{1, k_email_max_length};
constexpr json::StringRule k_password_rule{1, k_password_max_length};  // an existing password
constexpr json::StringRule k_new_password_rule{k_password_min_length, k_password_max_length};
constexpr json::StringRule k_name_rule{1, k_name_max_length};
constexpr json::StringRule k_organization_name_rule{1, k_organization_name_max_length};
constexpr json::StringRule k_token_rule{1, 256};
constexpr std::array<std::string_view, 4> k_invitable_roles{"ORG_ADMIN", "HR_MANAGER",
                                                            "FINANCE_MANAGER", "EMPLOYEE"};

Origin origin_of(const http::RequestContext& ctx) {
  return {.client_address = ctx.client_address(), .request_id = ctx.request_id()};
}

// Lower-cased; `check_format` for addresses about to be registered (a sign-in with a malformed
// address is just a failed sign-in).
std::optional<std::string> read_email(json::FieldReader& reader, bool check_format) {
  auto email = reader.required_string("email", k_email_rule);
  if (!email) return std::nullopt;
  auto normalized = normalize_email(*email);
  if (check_format && !is_valid_email(normalized)) {
    reader.fail("email", "must be a valid email address");
    return std::nullopt;
  }
  return normalized;
}

boost::json::object session_json(const SignedIn& session) {
  return {{"accessToken", session.access_token},
          {"refreshToken", session.refresh_token},
          {"expiresIn", session.expires_in.count()},
          {"user", to_json(session.user)}};
}

// --- schemas (the OpenAPI document is generated from them)

boost::json::value email_schema() {
  auto s = schema::string(k_email_rule);
  s.as_object()["format"] = "email";
  return s;
}
boost::json::value new_password_schema() {
  return schema::string(k_new_password_rule);
}
boost::json::value name_schema() {
  return schema::string(k_name_rule);
}
boost::json::value token_schema() {
  return schema::string(k_token_rule);
}

boost::json::value user_schema() {
  return schema::object(
      {{"id", schema::uuid()},
       {"email", schema::formatted("email")},
       {"firstName", schema::string()},
       {"lastName", schema::string()},
       {"role", schema::enumeration(
                    {"SUPER_ADMIN", "ORG_ADMIN", "HR_MANAGER", "FINANCE_MANAGER", "EMPLOYEE"})},
       {"organizationId", schema::nullable(schema::uuid())},
       {"isActive", schema::boolean()},
       {"createdAt", schema::date_time()}},
      {"id", "email", "firstName", "lastName", "role", "organizationId", "isActive", "createdAt"});
}

boost::json::value session_schema() {
  return schema::object({{"accessToken", schema::string()},
                         {"refreshToken", schema::string()},
                         {"expiresIn", schema::integer(1)},
                         {"user", user_schema()}},
                        {"accessToken", "refreshToken", "expiresIn", "user"});
}

boost::json::value refresh_token_body() {
  return schema::object({{"refreshToken", token_schema()}}, {"refreshToken"});
}

// --- handlers

awaitable<http::Response> signup(Service::Impl& service, http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto email = read_email(reader, true);
  auto password = reader.required_string("password", k_new_password_rule);
  auto first_name = reader.required_string("firstName", k_name_rule);
  auto last_name = reader.required_string("lastName", k_name_rule);
  auto organization_name = reader.required_string("organizationName", k_organization_name_rule);
  auto base_currency = reader.optional_string("baseCurrency", k_currency_code);
  reader.finish();
  Signup input{.email = std::move(*email),
               .password = std::move(*password),
               .first_name = std::move(*first_name),
               .last_name = std::move(*last_name),
               .organization_name = std::move(*organization_name),
               .base_currency = base_currency.value_or("USD")};
  auto result = co_await service.signup(std::move(input), origin_of(ctx));
  auto answer = session_json(result.session);
  answer["organization"] = organization::to_json(result.organization);
  co_return http::Response::json(201, answer);
}

awaitable<http::Response> login(Service::Impl& service, http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto email = read_email(reader, false);
  auto password = reader.required_string("password", k_password_rule);
  reader.finish();
  auto session = co_await service.login(std::move(*email), std::move(*password), origin_of(ctx));
  co_return http::Response::json(200, session_json(session));
}

// The refresh token of a refresh or logout body.
std::string read_refresh_token(const http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto token = reader.required_string("refreshToken", k_token_rule);
  reader.finish();
  return std::move(*token);
}

awaitable<http::Response> refresh(Service::Impl& service, http::RequestContext& ctx) {
  auto session = co_await service.refresh(read_refresh_token(ctx), origin_of(ctx));
  co_return http::Response::json(200, session_json(session));
}

awaitable<http::Response> logout(Service::Impl& service, http::RequestContext& ctx) {
  co_await service.logout(read_refresh_token(ctx), origin_of(ctx));
  co_return http::Response::no_content();
}

// Built in a stack buffer and serialized at once: /auth/me is asked on every page load.
http::Response user_response(const User& user) {
  unsigned char buffer[1024];
  boost::json::monotonic_resource scratch(buffer, sizeof buffer);
  return http::Response::json(200, to_json(user, &scratch));
}

awaitable<http::Response> me(Service::Impl& service, http::RequestContext& ctx) {
  co_return user_response(co_await service.me(ctx.user()));
}

awaitable<http::Response> change_password(Service::Impl& service, http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto current = reader.required_string("currentPassword", k_password_rule);
  auto next = reader.required_string("newPassword", k_new_password_rule);
  reader.finish();
  co_await service.change_password(ctx.user(), std::move(*current), std::move(*next),
                                   origin_of(ctx));
  co_return http::Response::no_content();
}

awaitable<http::Response> accept_invitation(Service::Impl& service, http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto token = reader.required_string("token", k_token_rule);
  auto password = reader.required_string("password", k_new_password_rule);
  reader.finish();
  auto session =
      co_await service.accept_invitation(std::move(*token), std::move(*password), origin_of(ctx));
  co_return http::Response::json(200, session_json(session));
}

awaitable<http::Response> list_users(Service::Impl& service, http::RequestContext& ctx) {
  const auto page = http::page_request(ctx);
  auto result = co_await service.list_users(ctx.user().org(), page);
  boost::json::array data;
  for (const auto& user : result.users) data.push_back(to_json(user));
  co_return http::Response::json(200, http::list_answer(std::move(data), result.next));
}

awaitable<http::Response> invite_user(Service::Impl& service, http::RequestContext& ctx) {
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto email = read_email(reader, true);
  auto first_name = reader.required_string("firstName", k_name_rule);
  auto last_name = reader.required_string("lastName", k_name_rule);
  auto role = reader.required_enum("role", k_invitable_roles);
  reader.finish();
  NewInvitation input{.organization_id = ctx.user().org(),
                      .email = std::move(*email),
                      .first_name = std::move(*first_name),
                      .last_name = std::move(*last_name),
                      .role = *parse_role(*role)};
  auto invitation = co_await service.invite(std::move(input), compliance::actor_of(ctx));
  boost::json::object answer{
      {"user", to_json(invitation.user)},
      {"invitation",
       {{"token", invitation.token}, {"expiresAt", to_rfc3339(invitation.expires_at)}}}};
  co_return http::Response::json(201, answer);
}

awaitable<http::Response> update_user(Service::Impl& service, http::RequestContext& ctx) {
  const auto id = ctx.id_param("id");
  const auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto role = reader.optional_enum("role", k_invitable_roles);
  auto is_active = reader.optional_bool("isActive");
  reader.finish();
  UserChange change{.role = role ? parse_role(*role) : std::nullopt, .is_active = is_active};
  auto user = co_await service.update_user(ctx.user(), id, change, compliance::actor_of(ctx));
  co_return http::Response::json(200, to_json(user));
}

boost::json::value signup_schema() {
  return schema::object({{"email", email_schema()},
                         {"password", new_password_schema()},
                         {"firstName", name_schema()},
                         {"lastName", name_schema()},
                         {"organizationName", schema::string(k_organization_name_rule)},
                         {"baseCurrency", schema::string(k_currency_code)}},
                        {"email", "password", "firstName", "lastName", "organizationName"});
}

boost::json::value signed_up_schema() {
  return schema::object({{"user", user_schema()},
                         {"organization", schema::any_object()},
                         {"accessToken", schema::string()},
                         {"refreshToken", schema::string()},
                         {"expiresIn", schema::integer(1)}},
                        {"user", "organization", "accessToken", "refreshToken", "expiresIn"});
}

boost::json::value login_schema() {
  return schema::object({{"email", email_schema()}, {"password", schema::string(k_password_rule)}},
                        {"email", "password"});
}

boost::json::value password_change_schema() {
  return schema::object({{"currentPassword", schema::string(k_password_rule)},
                         {"newPassword", new_password_schema()}},
                        {"currentPassword", "newPassword"});
}

boost::json::value accept_schema() {
  return schema::object({{"token", token_schema()}, {"password", new_password_schema()}},
                        {"token", "password"});
}

boost::json::value invitable_role_schema() {
  return schema::enumeration({"ORG_ADMIN", "HR_MANAGER", "FINANCE_MANAGER", "EMPLOYEE"});
}

boost::json::value invite_schema() {
  return schema::object({{"email", email_schema()},
                         {"firstName", name_schema()},
                         {"lastName", name_schema()},
                         {"role", invitable_role_schema()}},
                        {"email", "firstName", "lastName", "role"});
}

boost::json::value invited_schema() {
  auto invitation = schema::object(
      {{"token", schema::string()}, {"expiresAt", schema::date_time()}}, {"token", "expiresAt"});
  return schema::object({{"user", user_schema()}, {"invitation", std::move(invitation)}},
                        {"user", "invitation"});
}

boost::json::value user_change_schema() {
  return schema::object({{"role", invitable_role_schema()}, {"isActive", schema::boolean()}});
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  using http::Access;
  const auto admins = Access::roles_of({});
  http::add_routes<Service::Impl&>(
      router, "auth", service.impl(),
      {{.method = "POST",
        .pattern = "/api/v1/auth/signup",
        .access = Access::anyone(),
        .doc = {.summary = "Sign up: a new organisation and its first ORG_ADMIN",
                .request_schema = signup_schema(),
                .response_schema = signed_up_schema(),
                .success_status = 201},
        .handler = signup,
        .carries_secret = true},
       {.method = "POST",
        .pattern = "/api/v1/auth/login",
        .access = Access::anyone(),
        .doc = {.summary = "Sign in with email and password",
                .request_schema = login_schema(),
                .response_schema = session_schema()},
        .handler = login,
        .carries_secret = true},
       {.method = "POST",
        .pattern = "/api/v1/auth/refresh",
        .access = Access::anyone(),
        .doc = {.summary = "Rotate a refresh token into a new token pair",
                .request_schema = refresh_token_body(),
                .response_schema = session_schema()},
        .handler = refresh,
        .carries_secret = true},
       {.method = "POST",
        .pattern = "/api/v1/auth/logout",
        .access = Access::anyone(),
        .doc = {.summary = "End the session (refresh-token family) of a refresh token",
                .request_schema = refresh_token_body(),
                .success_status = 204},
        .handler = logout},
       {.method = "GET",
        .pattern = "/api/v1/auth/me",
        .access = Access::any_user(),
        .doc = {.summary = "The signed-in user", .response_schema = user_schema()},
        .handler = me},
       {.method = "POST",
        .pattern = "/api/v1/auth/password",
        .access = Access::any_user(),
        .doc = {.summary = "Change the password; ends every other session",
                .request_schema = password_change_schema(),
                .success_status = 204},
        .handler = change_password},
       {.method = "POST",
        .pattern = "/api/v1/auth/invitations/accept",
        .access = Access::anyone(),
        .doc = {.summary = "Accept an invitation: set the password and sign in",
                .request_schema = accept_schema(),
                .response_schema = session_schema()},
        .handler = accept_invitation,
        .carries_secret = true}});

  http::add_routes<Service::Impl&>(
      router, "users", service.impl(),
      {{.method = "GET",
        .pattern = "/api/v1/users",
        .access = admins,
        .doc = {.summary = "The organisation's users, newest first",
                .response_schema = schema::list_of(user_schema()),
                .query = http::page_query()},
        .handler = list_users},
       {.method = "POST",
        .pattern = "/api/v1/users",
        .access = admins,
        .doc = {.summary = "Invite a user; the answer holds the invitation token (shown once)",
                .request_schema = invite_schema(),
                .response_schema = invited_schema(),
                .success_status = 201},
        .handler = invite_user,
        .carries_secret = true},
       {.method = "PATCH",
        .pattern = "/api/v1/users/{id}",
        .access = admins,
        .doc = {.summary = "Change a user's role or activity; deactivation ends their sessions",
                .request_schema = user_change_schema(),
                .response_schema = user_schema()},
        .handler = update_user}});
}

}  // namespace payrollx::auth
