// auth.users → auth.users: emails lower-cased (the first account of emails that differ only in
// case is imported), roles upper-cased (an unknown one becomes EMPLOYEE, noted), the bcrypt
// hash kept for the first sign-in to check and replace. A user of an organisation that was not
// imported is an orphan. Platform operators are never imported (create-super-admin makes them).
#include "legacy/rules.hpp"

namespace payrollx::legacy {

void convert_users(db::BlockingConnection& db) {
  decide(db, {.legacy_table = "auth.users",
              .checked = R"sql(
      SELECT s.id, t.id IS NOT NULL AS present, lower(s.email) AS unique_key,
        s."createdAt"::timestamp AS created_at,
        CASE WHEN pg_temp.legacy_uuid(s.id) IS NULL THEN 'invalid_id'
             WHEN org.legacy_id IS NULL THEN 'orphan'
             WHEN length(s.email) > 254 OR s.email !~ '^[^@[:space:]]+@[^@[:space:]]+$'
               THEN 'invalid_email'
             WHEN taken.id IS NOT NULL THEN 'duplicate_email' END AS reason
      FROM legacy_auth_users s
      LEFT JOIN auth.users t ON t.id = pg_temp.legacy_uuid(s.id)
      LEFT JOIN legacy_outcomes org ON org.legacy_table = 'org.organizations'
        AND org.legacy_id = s."organizationId" AND org.outcome IN ('written', 'present')
      LEFT JOIN auth.users taken
        ON lower(taken.email) = lower(s.email) AND taken.id <> pg_temp.legacy_uuid(s.id))sql",
              .duplicate_reason = "duplicate_email"});
  db.run(R"sql(
    CREATE TEMP TABLE legacy_new_users ON COMMIT DROP AS
    SELECT s.id AS legacy_id, pg_temp.legacy_uuid(s.id) AS id,
      pg_temp.legacy_uuid(s."organizationId") AS organization_id, lower(s.email) AS email,
      s."firstName" AS first_name, s."lastName" AS last_name, s.role AS legacy_role,
      CASE WHEN upper(s.role) IN ('ORG_ADMIN', 'HR_MANAGER', 'FINANCE_MANAGER', 'EMPLOYEE')
           THEN upper(s.role) ELSE 'EMPLOYEE' END AS role,
      CASE WHEN s.password ~ '^\$2[aby]\$' THEN s.password END AS password_hash,
      s."createdAt"::timestamp AT TIME ZONE 'UTC' AS created_at,
      s."updatedAt"::timestamp AT TIME ZONE 'UTC' AS updated_at
    FROM legacy_auth_users s JOIN legacy_outcomes o
      ON o.legacy_table = 'auth.users' AND o.legacy_id = s.id AND o.outcome = 'written';
    ANALYZE legacy_new_users;
    INSERT INTO auth.users (id, organization_id, email, first_name, last_name, role,
      password_hash, created_at, updated_at)
    SELECT id, organization_id, email, first_name, last_name, role, password_hash, created_at,
      updated_at
    FROM legacy_new_users;
    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'auth.users', legacy_id, format('unknown role %L: imported as EMPLOYEE', legacy_role)
    FROM legacy_new_users
    WHERE upper(legacy_role) NOT IN ('ORG_ADMIN', 'HR_MANAGER', 'FINANCE_MANAGER', 'EMPLOYEE');
    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'auth.users', legacy_id, 'no bcrypt password: the user must be invited again'
    FROM legacy_new_users WHERE password_hash IS NULL)sql");
}

}  // namespace payrollx::legacy
