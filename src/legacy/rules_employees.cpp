// employee.employees → employee.employees, each with an internal wallet in its salary currency,
// and wallet.wallets (the legacy MPC wallets) → that wallet's id and legacy key. Names and email
// come from the employee's legacy user row, also when that user was skipped (then without a
// portal account). The annual salary converts exactly into minor units of its token (USDC when
// empty) or the row is skipped; a soft-deleted employee is terminated on that date. KYC:
// VERIFIED (a document seen, not approved) is pending review.
#include "legacy/rules.hpp"

namespace payrollx::legacy {
namespace {

void decide_employees(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_employee_facts ON COMMIT DROP AS
    SELECT s.id, pg_temp.legacy_uuid(s.id) AS uuid, t.id IS NOT NULL AS present,
      pg_temp.legacy_uuid(s."organizationId") AS organization_id,
      org.legacy_id IS NOT NULL AS organization_known, u.id IS NOT NULL AS user_known,
      lower(u.email) AS email, u."firstName" AS first_name, u."lastName" AS last_name,
      CASE WHEN uo.outcome IN ('written', 'present') THEN pg_temp.legacy_uuid(u.id) END
        AS user_id,
      coalesce(nullif(s."paymentToken", ''), 'USDC') AS currency, c.scale,
      s.salary::numeric AS salary, s.salary::numeric * 10::numeric ^ c.scale AS minor,
      s."createdAt"::timestamp AS created_at, s."updatedAt"::timestamp AS updated_at,
      s."deletedAt"::timestamp AS deleted_at, s."kycStatus" AS kyc_status,
      s."walletAddress" AS wallet_address
    FROM legacy_employee_employees s
    LEFT JOIN employee.employees t ON t.id = pg_temp.legacy_uuid(s.id)
    LEFT JOIN legacy_outcomes org ON org.legacy_table = 'org.organizations'
      AND org.legacy_id = s."organizationId" AND org.outcome IN ('written', 'present')
    LEFT JOIN legacy_auth_users u ON u.id = s."userId"
    LEFT JOIN legacy_outcomes uo ON uo.legacy_table = 'auth.users' AND uo.legacy_id = u.id
    LEFT JOIN core.currencies c ON c.code = coalesce(nullif(s."paymentToken", ''), 'USDC');
    ANALYZE legacy_employee_facts;)sql");
  decide(db, {.legacy_table = "employee.employees",
              .checked = R"sql(
      SELECT id, present, organization_id::text || ' ' || email AS unique_key, created_at,
        CASE WHEN uuid IS NULL THEN 'invalid_id'
             WHEN NOT organization_known OR NOT user_known THEN 'orphan'
             WHEN scale IS NULL THEN 'unknown_currency'
             WHEN salary IS NULL OR salary <= 0 THEN 'invalid_salary'
             WHEN minor <> trunc(minor) THEN 'inexact_amount' END AS reason
      FROM legacy_employee_facts)sql",
              .duplicate_reason = "duplicate_email"});
}

// A legacy wallet belongs to an employee written now (the first live one of each: its id and
// key become the new wallet's), or is skipped.
void decide_wallets(db::BlockingConnection& db) {
  decide(db, {.legacy_table = "wallet.wallets",
              .checked = R"sql(
      SELECT w.id, t.id IS NOT NULL AS present, w."employeeId" AS unique_key,
        w."createdAt"::timestamp AS created_at,
        CASE WHEN pg_temp.legacy_uuid(w.id) IS NULL THEN 'invalid_id'
             WHEN e.legacy_id IS NULL THEN 'orphan'
             WHEN w."deletedAt" IS NOT NULL THEN 'deleted'
             WHEN e.outcome = 'present' THEN 'duplicate_wallet' END AS reason
      FROM legacy_wallet_wallets w
      LEFT JOIN wallet.wallets t ON t.id = pg_temp.legacy_uuid(w.id)
      LEFT JOIN legacy_outcomes e ON e.legacy_table = 'employee.employees'
        AND e.legacy_id = w."employeeId" AND e.outcome IN ('written', 'present'))sql",
              .duplicate_reason = "duplicate_wallet"});
}

void write_employees(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_new_employees ON COMMIT DROP AS
    SELECT f.*, coalesce(pg_temp.legacy_uuid(w.id), gen_random_uuid()) AS wallet_id,
      w."publicKey" AS legacy_key,
      row_number() OVER (PARTITION BY f.user_id ORDER BY f.created_at, f.id) AS user_rank
    FROM legacy_employee_facts f
    JOIN legacy_outcomes o ON o.legacy_table = 'employee.employees' AND o.legacy_id = f.id
      AND o.outcome = 'written'
    LEFT JOIN (SELECT w.* FROM legacy_wallet_wallets w
               JOIN legacy_outcomes wo ON wo.legacy_table = 'wallet.wallets'
                 AND wo.legacy_id = w.id AND wo.outcome = 'written') AS w
      ON w."employeeId" = f.id;
    ANALYZE legacy_new_employees;

    INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency,
      legacy_reference, created_at, updated_at)
    SELECT wallet_id, organization_id, 'EMPLOYEE', uuid, currency, legacy_key,
      created_at AT TIME ZONE 'UTC', created_at AT TIME ZONE 'UTC'
    FROM legacy_new_employees;
    -- Fresh statistics, or the employees' foreign key checks scan the wallets row by row.
    ANALYZE wallet.wallets;

    INSERT INTO employee.employees (id, organization_id, user_id, wallet_id, first_name,
      last_name, email, hire_date, termination_date, status, salary_amount, salary_currency,
      salary_period, kyc_status, kyc_rejection_reason, wallet_address, created_at, updated_at)
    SELECT uuid, organization_id, CASE WHEN user_rank = 1 THEN user_id END, wallet_id,
      first_name, last_name, email,
      least(created_at, coalesce(deleted_at, created_at))::date, deleted_at::date,
      CASE WHEN deleted_at IS NULL THEN 'ACTIVE' ELSE 'TERMINATED' END,
      minor::bigint, currency, 'ANNUAL',
      CASE kyc_status WHEN 'APPROVED' THEN 'APPROVED' WHEN 'REJECTED' THEN 'REJECTED'
                      ELSE 'PENDING' END,
      CASE WHEN kyc_status = 'REJECTED' THEN 'rejected in the legacy system' END,
      CASE WHEN wallet_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$' THEN wallet_address END,
      created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'
    FROM legacy_new_employees;

    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'employee.employees', id, note FROM legacy_new_employees, LATERAL (VALUES
      (CASE WHEN user_id IS NULL THEN 'its user was not imported: no portal account' END),
      (CASE WHEN user_id IS NOT NULL AND user_rank > 1
            THEN 'its user belongs to another employee: no portal account' END),
      (CASE WHEN deleted_at IS NOT NULL THEN 'soft-deleted: imported TERMINATED' END),
      (CASE WHEN wallet_address IS NOT NULL
             AND wallet_address !~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
            THEN 'its wallet address is not a Solana address: dropped' END)) AS n(note)
    WHERE note IS NOT NULL)sql");
}

}  // namespace

void convert_employees(db::BlockingConnection& db) {
  decide_employees(db);
  decide_wallets(db);
  write_employees(db);
  record_amounts(db, {.legacy_table = "employee.employees",
                      .column = "salary",
                      .read = "SELECT id, currency, salary AS amount FROM legacy_employee_facts",
                      .written = R"sql(
      SELECT e.salary_currency AS currency, sum(e.salary_amount::numeric / 10::numeric ^ c.scale)
        AS total
      FROM employee.employees e JOIN legacy_new_employees n ON n.uuid = e.id
      JOIN core.currencies c ON c.code = e.salary_currency GROUP BY 1)sql"});
}

// Decided and written with their employees (convert_employees).
void convert_wallets(db::BlockingConnection&) {}

}  // namespace payrollx::legacy
