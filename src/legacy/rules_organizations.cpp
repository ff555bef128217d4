// org.organizations → organization.organizations, with settings (base currency USDC, the legacy
// default token) and a treasury wallet, empty: the legacy money moved on chain. A soft-deleted
// organisation is imported SUSPENDED.
#include "legacy/rules.hpp"

namespace payrollx::legacy {

void convert_organizations(db::BlockingConnection& db) {
  // The first of names that differ only in case keeps it (the new schema's names are unique
  // whatever their case), as does an organisation already imported under another id.
  decide(db, {.legacy_table = "org.organizations",
              .checked = R"sql(
      SELECT s.id, t.id IS NOT NULL AS present,
        CASE WHEN pg_temp.legacy_uuid(s.id) IS NULL THEN 'invalid_id'
             WHEN char_length(s.name) NOT BETWEEN 1 AND 200 THEN 'invalid_name'
             WHEN taken.id IS NOT NULL THEN 'duplicate_name' END AS reason,
        lower(s.name) AS unique_key, s."createdAt"::timestamp AS created_at
      FROM legacy_org_organizations s
      LEFT JOIN organization.organizations t ON t.id = pg_temp.legacy_uuid(s.id)
      LEFT JOIN organization.organizations taken
        ON lower(taken.name) = lower(s.name) AND taken.id <> pg_temp.legacy_uuid(s.id))sql",
              .duplicate_reason = "duplicate_name"});
  db.run(R"sql(
    CREATE TEMP TABLE legacy_new_organizations ON COMMIT DROP AS
    SELECT pg_temp.legacy_uuid(s.id) AS id, s.name,
      coalesce(s."authorizedSigners"::text[], '{}') AS authorized_signers,
      CASE WHEN s."deletedAt" IS NULL THEN 'ACTIVE' ELSE 'SUSPENDED' END AS status,
      s."createdAt"::timestamp AT TIME ZONE 'UTC' AS created_at,
      s."updatedAt"::timestamp AT TIME ZONE 'UTC' AS updated_at
    FROM legacy_org_organizations s JOIN legacy_outcomes o
      ON o.legacy_table = 'org.organizations' AND o.legacy_id = s.id AND o.outcome = 'written';
    ANALYZE legacy_new_organizations;
    INSERT INTO organization.organizations
      (id, name, authorized_signers, status, created_at, updated_at)
    SELECT id, name, authorized_signers, status, created_at, updated_at
    FROM legacy_new_organizations;
    INSERT INTO organization.organization_settings (organization_id, base_currency, updated_at)
    SELECT id, 'USDC', updated_at FROM legacy_new_organizations;
    INSERT INTO wallet.wallets
      (id, organization_id, owner_type, owner_id, currency, created_at, updated_at)
    SELECT gen_random_uuid(), id, 'ORGANIZATION', id, 'USDC', created_at, created_at
    FROM legacy_new_organizations;
    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'org.organizations', id::text, 'soft-deleted: imported SUSPENDED'
    FROM legacy_new_organizations WHERE status = 'SUSPENDED')sql");
}

}  // namespace payrollx::legacy
