#pragma once
// The organization module's SQL (schema organization, plus the core.currencies reference table)
// and the decoding of its rows.
#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/organization/organization.hpp"

namespace payrollx::organization::store {

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

Organization organization_from(const db::Row& row);
Settings settings_from(const db::Row& row);

}  // namespace payrollx::organization::store
