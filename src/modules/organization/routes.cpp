// The organization routes (/api/v1/organization/..., /api/v1/admin/organizations/...): the
// caller's organisation, its settings, and the platform admin's list of every organisation.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <set>

#include "core/auth/suspensions.hpp"
#include "core/base58.hpp"
#include "core/currency.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/organization/organization.hpp"

namespace payrollx::organization {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr json::StringRule k_name_rule{1, 200};
constexpr json::StringRule k_tax_id_rule{1, 64};
constexpr json::StringRule k_timezone_rule{1, 64};
constexpr json::StringRule k_country_rule{2, 2};  // ISO 3166-1 alpha-2
// Documents what is_solana_public_key accepts; the signers' reader checks with that.
constexpr json::StringRule k_signer_rule{k_solana_key_min_chars, k_solana_key_max_chars};
constexpr std::size_t k_max_signers = 20;

bool is_alpha2(std::string_view code) {
  return code.size() == 2 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A value, or null to clear the country (it is optional, like taxId).
json::Patch<std::string> read_country(json::FieldReader& reader) {
  auto country = reader.nullable_string("country", k_country_rule);
  if (country && *country && !is_alpha2(**country)) {
    reader.fail("country", "must be an ISO 3166-1 alpha-2 code (two upper-case letters)");
    return std::nullopt;
  }
  return country;
}

// The FieldReader reads null as "absent"; in a PATCH that would silently keep the old value of a
// field the client asked to empty, so null is refused where the field cannot be cleared.
void refuse_null(json::FieldReader& reader, const boost::json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it != body.end() && it->value().is_null()) reader.fail(key, "must not be null");
}

// Each signer must be a distinct Solana public key; errors name the element
// ("authorizedSigners[2]").
std::optional<std::vector<std::string>> read_signers(json::FieldReader& reader) {
  const auto* items = reader.optional_array("authorizedSigners", k_max_signers);
  if (!items) return std::nullopt;
  std::vector<std::string> signers;
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < items->size(); ++i) {
    auto field = fmt::format("authorizedSigners[{}]", i);
    const auto& item = (*items)[i];
    if (!item.is_string()) {
      reader.fail(field, "must be a string");
      continue;
    }
    std::string_view key = item.get_string();
    if (!is_solana_public_key(key))
      reader.fail(field, "must be a Solana public key (base58 that decodes to 32 bytes)");
    else if (!seen.insert(key).second)
      reader.fail(field, "is listed more than once");
    else
      signers.emplace_back(key);
  }
  return signers;
}

OrganizationPatch read_patch(const http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  OrganizationPatch patch;
  refuse_null(reader, body, "name");
  refuse_null(reader, body, "authorizedSigners");
  patch.name = reader.optional_string("name", k_name_rule);
  patch.country = read_country(reader);
  patch.tax_id = reader.nullable_string("taxId", k_tax_id_rule);
  patch.authorized_signers = read_signers(reader);
  reader.finish();
  return patch;
}

Settings read_settings(const http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto base_currency = reader.required_string("baseCurrency", k_currency_code);
  auto require_distinct_approver = reader.required_bool("requireDistinctApprover");
  auto kyc_required_for_payroll = reader.required_bool("kycRequiredForPayroll");
  auto max_net_per_employee = reader.optional_int("maxNetPerEmployee", {.min = 0});
  auto timezone = reader.required_string("timezone", k_timezone_rule);
  reader.finish();
  return {.base_currency = std::move(*base_currency),
          .require_distinct_approver = *require_distinct_approver,
          .kyc_required_for_payroll = *kyc_required_for_payroll,
          .max_net_per_employee = max_net_per_employee,
          .timezone = std::move(*timezone)};
}

awaitable<http::Response> get_organization(Service& service, http::RequestContext& ctx) {
  auto organization = co_await service.get(ctx.user().org());
  co_return http::Response::json(200, to_json(organization));
}

awaitable<http::Response> patch_organization(Service& service, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto patch = read_patch(ctx);
  auto actor = compliance::actor_of(ctx);
  auto update = [&](db::Tx& tx) { return service.update(tx, organization_id, patch, actor); };
  auto organization = co_await service.pool().transaction(update);
  co_return http::Response::json(200, to_json(organization));
}

awaitable<http::Response> get_settings(Service& service, http::RequestContext& ctx) {
  auto settings = co_await service.settings(ctx.user().org());
  co_return http::Response::json(200, to_json(settings));
}

awaitable<http::Response> put_settings(Service& service, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto settings = read_settings(ctx);
  auto actor = compliance::actor_of(ctx);
  auto replace = [&](db::Tx& tx) {
    return service.replace_settings(tx, organization_id, settings, actor);
  };
  auto saved = co_await service.pool().transaction(replace);
  co_return http::Response::json(200, to_json(saved));
}

awaitable<http::Response> list_organizations(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto organizations = co_await service.list(page);
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(organizations.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(to_json(organizations[i]));
  if (organizations.size() > shown)
    next = http::Keyset{organizations[shown - 1].created_at, organizations[shown - 1].id};
  co_return http::Response::json(200, http::list_answer(std::move(data), next));
}

constexpr json::StringRule k_reason_rule{1, 500};

// What the platform admin's status changes need: the change itself, then this instance's view of
// the suspended organisations.
struct StatusParts {
  Service& service;
  Suspensions& suspensions;
};

// Commits the change, then refreshes this instance's Suspensions before answering, so that the
// operator's next request here already sees it (the watch tells the other instances).
template <class Change>
awaitable<http::Response> change_status(StatusParts parts, Change change) {
  auto organization = co_await parts.service.pool().transaction(change);
  auto suspended = co_await parts.service.suspended();
  parts.suspensions.replace(std::move(suspended));
  co_return http::Response::json(200, to_json(organization));
}

awaitable<http::Response> suspend(StatusParts parts, http::RequestContext& ctx) {
  const auto organization_id = ctx.id_param("id");
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto reason = reader.required_string("reason", k_reason_rule);
  reader.finish();
  auto actor = compliance::actor_of(ctx);
  auto change = [&](db::Tx& tx) {
    return parts.service.suspend(tx, organization_id, *reason, actor);
  };
  co_return co_await change_status(parts, change);
}

awaitable<http::Response> reactivate(StatusParts parts, http::RequestContext& ctx) {
  const auto organization_id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  auto change = [&](db::Tx& tx) { return parts.service.reactivate(tx, organization_id, actor); };
  co_return co_await change_status(parts, change);
}

boost::json::value country_schema() {
  auto country = schema::string(k_country_rule);
  country.as_object()["pattern"] = "^[A-Z]{2}$";
  return country;
}

boost::json::value signers_schema() {
  auto signers = schema::array(schema::string(k_signer_rule));
  signers.as_object()["maxItems"] = k_max_signers;
  signers.as_object()["uniqueItems"] = true;
  signers.as_object()["description"] =
      "Solana public keys: base58 strings that decode to exactly 32 bytes.";
  return signers;
}

// A string field a PATCH may also set to null. Declared with "type": "string" (null noted in the
// description) so that tools reading the schema still see a string field.
boost::json::value clearable(boost::json::value text, std::string_view null_means) {
  text.as_object()["description"] = null_means;
  return text;
}

boost::json::value organization_schema() {
  return schema::object(
      {{"id", schema::uuid()},
       {"name", schema::string(k_name_rule)},
       {"country", schema::nullable(country_schema())},
       {"taxId", schema::nullable(schema::string(k_tax_id_rule))},
       {"authorizedSigners", signers_schema()},
       {"status", schema::enumeration({"ACTIVE", "SUSPENDED"})},
       {"createdAt", schema::date_time()},
       {"updatedAt", schema::date_time()}},
      {"id", "name", "country", "taxId", "authorizedSigners", "status", "createdAt", "updatedAt"});
}

boost::json::value patch_schema() {
  return schema::object(
      {{"name", schema::string(k_name_rule)},
       {"country", clearable(country_schema(), "null clears the country.")},
       {"taxId", clearable(schema::string(k_tax_id_rule), "null clears the tax id.")},
       {"authorizedSigners", signers_schema()}});
}

boost::json::value settings_schema(bool answer) {
  auto max_net = schema::integer(0);
  max_net.as_object()["description"] =
      "Largest net pay per employee per run, in minor units of baseCurrency; absent or null: "
      "no limit.";
  auto settings = schema::object(
      {{"baseCurrency", schema::string(k_currency_code)},
       {"requireDistinctApprover", schema::boolean()},
       {"kycRequiredForPayroll", schema::boolean()},
       {"maxNetPerEmployee", schema::nullable(std::move(max_net))},
       {"timezone", schema::string(k_timezone_rule)}},
      {"baseCurrency", "requireDistinctApprover", "kycRequiredForPayroll", "timezone"});
  if (answer) settings.as_object()["required"].as_array().emplace_back("maxNetPerEmployee");
  return settings;
}

}  // namespace

void register_routes(http::Router& router, Service& service, Suspensions& suspensions) {
  using http::Access;
  const auto admins = Access::roles_of({});
  http::add_routes<Service&>(
      router, "organization", service,
      {{.method = "GET",
        .pattern = "/api/v1/organization",
        .access = Access::any_user(),
        .doc = {.summary = "The caller's organisation", .response_schema = organization_schema()},
        .handler = get_organization},
       {.method = "PATCH",
        .pattern = "/api/v1/organization",
        .access = admins,
        .doc = {.summary = "Change the organisation's name, country, tax id or signers",
                .request_schema = patch_schema(),
                .response_schema = organization_schema()},
        .handler = patch_organization},
       {.method = "GET",
        .pattern = "/api/v1/organization/settings",
        .access = Access::roles_of({Role::finance_manager, Role::hr_manager}),
        .doc = {.summary = "The organisation's settings", .response_schema = settings_schema(true)},
        .handler = get_settings},
       {.method = "PUT",
        .pattern = "/api/v1/organization/settings",
        .access = admins,
        .doc = {.summary = "Replace the organisation's settings",
                .request_schema = settings_schema(false),
                .response_schema = settings_schema(true)},
        .handler = put_settings},
       {.method = "GET",
        .pattern = "/api/v1/admin/organizations",
        .access = Access::super_admin(),
        .doc = {.summary = "Every organisation on the platform, newest first",
                .response_schema = schema::list_of(organization_schema()),
                .query = http::page_query()},
        .handler = list_organizations}});

  http::add_routes<StatusParts>(
      router, "organization", {service, suspensions},
      {{.method = "POST",
        .pattern = "/api/v1/admin/organizations/{id}/suspend",
        .access = Access::super_admin(),
        .doc = {.summary = "Suspend an organisation: its members are refused "
                           "(403 organization_suspended), its scheduled runs and deliveries wait",
                .request_schema =
                    schema::object({{"reason", schema::string(k_reason_rule)}}, {"reason"}),
                .response_schema = organization_schema()},
        .handler = suspend},
       {.method = "POST",
        .pattern = "/api/v1/admin/organizations/{id}/reactivate",
        .access = Access::super_admin(),
        .doc = {.summary = "Reactivate a suspended organisation: everything resumes where it was "
                           "(no body is read)",
                .response_schema = organization_schema()},
        .handler = reactivate}});
}

}  // namespace payrollx::organization
