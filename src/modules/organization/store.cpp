#include "modules/organization/store.hpp"

#include <stdexcept>

#include "core/db/pool.hpp"

namespace payrollx::organization {

std::string_view to_string(Status status) {
  return status == Status::suspended ? "SUSPENDED" : "ACTIVE";
}

Status status_of(std::string_view text) {
  if (text == "ACTIVE") return Status::active;
  if (text == "SUSPENDED") return Status::suspended;
  throw std::logic_error("organization: unknown status in the database");
}

namespace store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_ORGANIZATION_COLUMNS \
  "id, name, country, tax_id, authorized_signers, status, created_at, updated_at"
#define PAYROLLX_SETTINGS_COLUMNS                                                              \
  "base_currency, require_distinct_approver, kyc_required_for_payroll, max_net_per_employee, " \
  "timezone"

// The organisation and its default settings in one statement. $1 name, $2 base currency.
// Fails with a unique violation on a taken name, a foreign-key violation on an unknown currency.
constexpr db::Query k_insert{
    "organization.insert",
    "WITH organization AS ("
    "  INSERT INTO organization.organizations (name) VALUES ($1)"
    "  RETURNING " PAYROLLX_ORGANIZATION_COLUMNS
    "), settings AS ("
    "  INSERT INTO organization.organization_settings (organization_id, base_currency)"
    "  SELECT id, $2 FROM organization RETURNING organization_id"
    ") SELECT " PAYROLLX_ORGANIZATION_COLUMNS " FROM organization"};

// $1 id.
constexpr db::Query k_select_by_id{"organization.select_by_id",
                                   "SELECT " PAYROLLX_ORGANIZATION_COLUMNS
                                   " FROM organization.organizations WHERE id = $1"};

// $1 id. NO KEY UPDATE, not UPDATE: the id never changes, and a plain FOR UPDATE would also block
// every foreign-key check on this organisation (audit entries, notifications) until COMMIT.
constexpr db::Query k_lock_by_id{
    "organization.lock_by_id", "SELECT " PAYROLLX_ORGANIZATION_COLUMNS
                               " FROM organization.organizations WHERE id = $1 FOR NO KEY UPDATE"};

// $1 id, $2 name, $3 country, $4 tax_id, $5 authorized_signers.
constexpr db::Query k_update{
    "organization.update",
    "UPDATE organization.organizations SET name = $2, country = $3, tax_id = $4,"
    "  authorized_signers = $5::text[], updated_at = now() "
    "WHERE id = $1 RETURNING " PAYROLLX_ORGANIZATION_COLUMNS};

// $1 id, $2 status (ACTIVE, SUSPENDED). Tells every instance's suspension watch to look again.
constexpr db::Query k_set_status{
    "organization.set_status",
    "WITH updated AS ("
    "  UPDATE organization.organizations SET status = $2, updated_at = now() WHERE id = $1"
    "  RETURNING " PAYROLLX_ORGANIZATION_COLUMNS
    "), told AS (SELECT pg_notify('payrollx_organization_status', id::text) FROM updated) "
    "SELECT " PAYROLLX_ORGANIZATION_COLUMNS " FROM updated, told"};

constexpr db::Query k_select_suspended{
    "organization.select_suspended",
    "SELECT id FROM organization.organizations WHERE status = 'SUSPENDED'"};

// $1 id → status; no row when it does not exist.
constexpr db::Query k_select_status{"organization.select_status",
                                    "SELECT status FROM organization.organizations WHERE id = $1"};

// All organisations (the platform admin's list), newest first. $1/$2 keyset (created_at, id) of
// the previous page's last row or NULL, $3 limit.
constexpr db::Query k_select_page{
    "organization.select_page",
    "SELECT " PAYROLLX_ORGANIZATION_COLUMNS
    " FROM organization.organizations "
    "WHERE $1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid) "
    "ORDER BY created_at DESC, id DESC LIMIT $3"};

// $1 organization_id.
constexpr db::Query k_select_settings{
    "organization.select_settings",
    "SELECT " PAYROLLX_SETTINGS_COLUMNS
    " FROM organization.organization_settings WHERE organization_id = $1"};

// $1 organization_id.
constexpr db::Query k_lock_settings{
    "organization.lock_settings",
    "SELECT " PAYROLLX_SETTINGS_COLUMNS
    " FROM organization.organization_settings WHERE organization_id = $1 FOR NO KEY UPDATE"};

// $1 organization_id, $2 base_currency, $3 require_distinct_approver, $4 kyc_required_for_payroll,
// $5 max_net_per_employee, $6 timezone.
constexpr db::Query k_update_settings{
    "organization.update_settings",
    "UPDATE organization.organization_settings SET base_currency = $2,"
    "  require_distinct_approver = $3, kyc_required_for_payroll = $4,"
    "  max_net_per_employee = $5, timezone = $6, updated_at = now() "
    "WHERE organization_id = $1 RETURNING " PAYROLLX_SETTINGS_COLUMNS};

// Whether settings' references exist. $1 currency code, $2 time zone name.
constexpr db::Query k_check_settings_references{
    "organization.check_settings_references",
    "SELECT EXISTS (SELECT 1 FROM core.currencies WHERE code = $1) AS currency_known,"
    "  EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = $2) AS timezone_known"};

#undef PAYROLLX_ORGANIZATION_COLUMNS
#undef PAYROLLX_SETTINGS_COLUMNS

Organization organization_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .name = row.get<std::string>("name"),
          .country = row.get<std::optional<std::string>>("country"),
          .tax_id = row.get<std::optional<std::string>>("tax_id"),
          .authorized_signers = row.get<std::vector<std::string>>("authorized_signers"),
          .status = status_of(row.get<std::string>("status")),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at")};
}

Settings settings_from(const db::Row& row) {
  return {.base_currency = row.get<std::string>("base_currency"),
          .require_distinct_approver = row.get<bool>("require_distinct_approver"),
          .kyc_required_for_payroll = row.get<bool>("kyc_required_for_payroll"),
          .max_net_per_employee = row.get<std::optional<std::int64_t>>("max_net_per_employee"),
          .timezone = row.get<std::string>("timezone")};
}

std::optional<Organization> first_organization(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return organization_from(*row);
}

std::optional<Settings> first_settings(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return settings_from(*row);
}

// Reads run on a transaction or on the pool (autocommit): both offer query(name, args...).
template <class Db>
awaitable<std::optional<Organization>> select_on(Db& db, const Uuid& id) {
  auto result = co_await db.query(k_select_by_id, id);
  co_return first_organization(result);
}

template <class Db>
awaitable<std::optional<Settings>> select_settings_on(Db& db, const Uuid& organization_id) {
  auto result = co_await db.query(k_select_settings, organization_id);
  co_return first_settings(result);
}

}  // namespace

awaitable<Organization> insert(db::Tx& tx, const std::string& name,
                               const std::string& base_currency) {
  auto result = co_await tx.query(k_insert, name, base_currency);
  co_return organization_from(result.one());
}

awaitable<std::optional<Organization>> select(db::Tx& tx, const Uuid& id) {
  return select_on(tx, id);
}

awaitable<std::optional<Organization>> select(db::Pool& pool, const Uuid& id) {
  return select_on(pool, id);
}

awaitable<std::optional<Organization>> lock(db::Tx& tx, const Uuid& id) {
  auto result = co_await tx.query(k_lock_by_id, id);
  co_return first_organization(result);
}

awaitable<Organization> update(db::Tx& tx, const Organization& wanted) {
  auto result = co_await tx.query(k_update, wanted.id, wanted.name, wanted.country, wanted.tax_id,
                                  wanted.authorized_signers);
  co_return organization_from(result.one());
}

awaitable<Organization> set_status(db::Tx& tx, const Uuid& id, Status status) {
  auto result = co_await tx.query(k_set_status, id, to_string(status));
  co_return organization_from(result.one());
}

awaitable<std::set<Uuid>> select_suspended(db::Pool& pool) {
  auto result = co_await pool.query(k_select_suspended);
  std::set<Uuid> ids;
  for (auto row : result) ids.insert(row.get<Uuid>("id"));
  co_return ids;
}

awaitable<std::optional<Status>> select_status(db::Tx& tx, const Uuid& id) {
  auto result = co_await tx.query(k_select_status, id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return status_of(row->get<std::string>("status"));
}

awaitable<std::vector<Organization>> select_page(db::Pool& pool,
                                                 const std::optional<Timestamp>& after_created_at,
                                                 const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_page, after_created_at, after_id, limit);
  std::vector<Organization> organizations;
  organizations.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) organizations.push_back(organization_from(row));
  co_return organizations;
}

awaitable<std::optional<Settings>> select_settings(db::Tx& tx, const Uuid& organization_id) {
  return select_settings_on(tx, organization_id);
}

awaitable<std::optional<Settings>> select_settings(db::Pool& pool, const Uuid& organization_id) {
  return select_settings_on(pool, organization_id);
}

awaitable<std::optional<Settings>> lock_settings(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_lock_settings, organization_id);
  co_return first_settings(result);
}

awaitable<Settings> update_settings(db::Tx& tx, const Uuid& organization_id,
                                    const Settings& settings) {
  auto result =
      co_await tx.query(k_update_settings, organization_id, settings.base_currency,
                        settings.require_distinct_approver, settings.kyc_required_for_payroll,
                        settings.max_net_per_employee, settings.timezone);
  co_return settings_from(result.one());
}

awaitable<SettingsReferences> check_settings_references(db::Tx& tx, const std::string& currency,
                                                        const std::string& timezone) {
  auto result = co_await tx.query(k_check_settings_references, currency, timezone);
  auto row = result.one();
  co_return SettingsReferences{.currency_known = row.get<bool>("currency_known"),
                               .timezone_known = row.get<bool>("timezone_known")};
}

}  // namespace store
}  // namespace payrollx::organization
