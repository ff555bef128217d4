// Organisations and their settings: creation (at signup), reads, audited updates.
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/notification/notification.hpp"
#include "modules/organization/organization.hpp"
#include "modules/organization/store.hpp"

namespace payrollx::organization {
namespace {

using boost::asio::awaitable;

constexpr std::string_view k_entity = "organization";
constexpr std::string_view k_settings_entity = "organization_settings";

Organization existing(std::optional<Organization> organization) {
  if (!organization) throw not_found("The organisation does not exist.");
  return std::move(*organization);
}

Settings existing(std::optional<Settings> settings) {
  if (!settings) throw not_found("The organisation does not exist.");
  return std::move(*settings);
}

// Reads run on a transaction or on the pool (autocommit).
template <class Db>
awaitable<Organization> fetch_organization(Db& db, const Uuid& organization_id) {
  auto organization = co_await store::select(db, organization_id);
  co_return existing(std::move(organization));
}

template <class Db>
awaitable<Settings> fetch_settings(Db& db, const Uuid& organization_id) {
  auto settings = co_await store::select_settings(db, organization_id);
  co_return existing(std::move(settings));
}

[[noreturn]] void throw_name_taken() {
  throw conflict("An organisation with this name already exists.");
}

Organization patched(Organization organization, const OrganizationPatch& patch) {
  if (patch.name) organization.name = *patch.name;
  if (patch.country) organization.country = *patch.country;
  if (patch.tax_id) organization.tax_id = *patch.tax_id;
  if (patch.authorized_signers) organization.authorized_signers = *patch.authorized_signers;
  return organization;
}

bool same_content(const Organization& a, const Organization& b) {
  return a.name == b.name && a.country == b.country && a.tax_id == b.tax_id &&
         a.authorized_signers == b.authorized_signers;
}

bool same_content(const Settings& a, const Settings& b) {
  return a.base_currency == b.base_currency &&
         a.require_distinct_approver == b.require_distinct_approver &&
         a.kyc_required_for_payroll == b.kyc_required_for_payroll &&
         a.max_net_per_employee == b.max_net_per_employee && a.timezone == b.timezone;
}

compliance::AuditEntry audit_entry(const Uuid& organization_id, const compliance::Actor& actor,
                                   std::string_view action, std::string_view entity_type,
                                   boost::json::value before, boost::json::value after) {
  return {.organization_id = organization_id,
          .actor = actor,
          .action = std::string(action),
          .entity_type = std::string(entity_type),
          .entity_id = organization_id,
          .before = std::move(before),
          .after = std::move(after)};
}

}  // namespace

boost::json::object to_json(const Organization& organization) {
  boost::json::array signers;
  for (const auto& signer : organization.authorized_signers) signers.emplace_back(signer);
  auto optional_text = [](const std::optional<std::string>& text) -> boost::json::value {
    if (!text) return nullptr;
    return boost::json::value(*text);
  };
  return {{"id", organization.id.str()},
          {"name", organization.name},
          {"country", optional_text(organization.country)},
          {"taxId", optional_text(organization.tax_id)},
          {"authorizedSigners", std::move(signers)},
          {"status", to_string(organization.status)},
          {"createdAt", to_rfc3339(organization.created_at)},
          {"updatedAt", to_rfc3339(organization.updated_at)}};
}

boost::json::object to_json(const Settings& settings) {
  boost::json::value max_net = nullptr;
  if (settings.max_net_per_employee) max_net = *settings.max_net_per_employee;
  return {{"baseCurrency", settings.base_currency},
          {"requireDistinctApprover", settings.require_distinct_approver},
          {"kycRequiredForPayroll", settings.kyc_required_for_payroll},
          {"maxNetPerEmployee", std::move(max_net)},
          {"timezone", settings.timezone}};
}

Service::Service(db::Pool& pool, compliance::AuditLog& audit, notification::Inbox& inbox)
    : pool_(pool), audit_(audit), inbox_(inbox) {}

awaitable<Organization> Service::create(db::Tx& tx, const NewOrganization& input,
                                        const compliance::Actor& actor) {
  std::optional<Organization> inserted;
  try {
    inserted = co_await store::insert(tx, input.name, input.base_currency);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw_name_taken();
    if (e.is_foreign_key_violation())
      throw validation_failed("baseCurrency", "is not a known currency");
    throw;
  }
  auto organization = std::move(*inserted);
  Settings settings;
  settings.base_currency = input.base_currency;
  auto after = to_json(organization);
  after["settings"] = to_json(settings);
  auto entry = audit_entry(organization.id, actor, "organization.created", k_entity, nullptr,
                           std::move(after));
  co_await audit_.append(tx, std::move(entry));
  co_return organization;
}

awaitable<Organization> Service::get(db::Tx& tx, const Uuid& organization_id) {
  return fetch_organization(tx, organization_id);
}

awaitable<Settings> Service::settings(db::Tx& tx, const Uuid& organization_id) {
  return fetch_settings(tx, organization_id);
}

awaitable<Organization> Service::get(const Uuid& organization_id) {
  return fetch_organization(pool_, organization_id);
}

awaitable<Settings> Service::settings(const Uuid& organization_id) {
  return fetch_settings(pool_, organization_id);
}

awaitable<Organization> Service::update(db::Tx& tx, const Uuid& organization_id,
                                        const OrganizationPatch& patch,
                                        const compliance::Actor& actor) {
  auto locked = co_await store::lock(tx, organization_id);
  auto before = existing(std::move(locked));
  auto wanted = patched(before, patch);
  if (same_content(before, wanted)) co_return before;

  std::optional<Organization> updated;
  try {
    updated = co_await store::update(tx, wanted);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw_name_taken();
    throw;
  }
  auto after = std::move(*updated);
  auto entry = audit_entry(organization_id, actor, "organization.updated", k_entity,
                           to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<Settings> Service::replace_settings(db::Tx& tx, const Uuid& organization_id,
                                              const Settings& settings,
                                              const compliance::Actor& actor) {
  auto references =
      co_await store::check_settings_references(tx, settings.base_currency, settings.timezone);
  std::vector<FieldError> errors;
  if (!references.currency_known) errors.push_back({"baseCurrency", "is not a known currency"});
  if (!references.timezone_known)
    errors.push_back({"timezone", "is not a known time zone (IANA name, e.g. Europe/Paris)"});
  if (!errors.empty()) throw validation_failed(std::move(errors));

  auto locked = co_await store::lock_settings(tx, organization_id);
  auto before = existing(std::move(locked));
  if (same_content(before, settings)) co_return before;

  auto after = co_await store::update_settings(tx, organization_id, settings);
  auto entry = audit_entry(organization_id, actor, "organization.settings_updated",
                           k_settings_entity, to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<std::vector<Organization>> Service::list(const http::PageRequest& page) {
  co_return co_await store::select_page(pool_, page.after_created_at(), page.after_id(),
                                        page.limit + 1);
}

awaitable<Organization> Service::suspend(db::Tx& tx, const Uuid& organization_id,
                                         const std::string& reason,
                                         const compliance::Actor& actor) {
  auto locked = co_await store::lock(tx, organization_id);
  auto before = existing(std::move(locked));
  if (before.status != Status::active)
    throw invalid_state("The organisation is already suspended.");
  auto after = co_await store::set_status(tx, organization_id, Status::suspended);
  co_await inbox_.hold_deliveries(tx, organization_id);
  auto recorded = to_json(after);
  recorded["reason"] = reason;
  co_await audit_.append(tx, audit_entry(organization_id, actor, "organization.suspended", k_entity,
                                         to_json(before), std::move(recorded)));
  co_return after;
}

awaitable<Organization> Service::reactivate(db::Tx& tx, const Uuid& organization_id,
                                            const compliance::Actor& actor) {
  auto locked = co_await store::lock(tx, organization_id);
  auto before = existing(std::move(locked));
  if (before.status != Status::suspended) throw invalid_state("The organisation is not suspended.");
  auto after = co_await store::set_status(tx, organization_id, Status::active);
  co_await inbox_.release_deliveries(tx, organization_id);
  co_await audit_.append(tx, audit_entry(organization_id, actor, "organization.reactivated",
                                         k_entity, to_json(before), to_json(after)));
  co_return after;
}

awaitable<std::set<Uuid>> Service::suspended() {
  co_return co_await store::select_suspended(pool_);
}

awaitable<void> Service::require_active(db::Tx& tx, const Uuid& organization_id) {
  const auto status = co_await store::select_status(tx, organization_id);
  if (status == Status::suspended) throw organization_suspended();
}

}  // namespace payrollx::organization
