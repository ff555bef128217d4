// transaction.transactions → transactions, as history (source LEGACY): the money moved on chain,
// so they have no wallet entries, their signature is their external reference, and they go
// from the organisation's clearing wallet (the outside world) to the employee's wallet. A
// PENDING or PROCESSING one never finished here: it is FAILED, noted. A REFUND becomes an
// ADJUSTMENT, noted. The PAID items of an imported run point at their employee's COMPLETED
// payment (the latest).
#include "legacy/rules.hpp"

namespace payrollx::legacy {
namespace {

void decide_transactions(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_transaction_facts ON COMMIT DROP AS
    SELECT s.id, pg_temp.legacy_uuid(s.id) AS uuid, t.id IS NOT NULL AS present,
      r.id AS run_id, r.organization_id, e.id AS employee_id, e.wallet_id, coalesce(r.currency, lr.currency) AS currency,
      s.amount::numeric AS amount, s.amount::numeric * 10::numeric ^ c.scale AS minor,
      CASE s.type WHEN 'REFUND' THEN 'ADJUSTMENT' ELSE s.type END AS type, s.type AS legacy_type,
      CASE WHEN s.status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN s.status ELSE 'FAILED' END
        AS status, s.status AS legacy_status, s.signature, s.error, s.notes,
      s."createdAt"::timestamp AS created_at,
      s."updatedAt"::timestamp AT TIME ZONE 'UTC' AS updated_at,
      s."completedAt"::timestamp AT TIME ZONE 'UTC' AS completed_at
    FROM legacy_transaction_transactions s
    LEFT JOIN transaction.transactions t ON t.id = pg_temp.legacy_uuid(s.id)
    LEFT JOIN legacy_payroll_payroll_runs lr ON lr.id = s."payrollRunId"
    LEFT JOIN payroll.payroll_runs r ON r.id = pg_temp.legacy_uuid(s."payrollRunId") AND r.imported
    LEFT JOIN core.currencies c ON c.code = r.currency
    LEFT JOIN employee.employees e ON e.id = pg_temp.legacy_uuid(s."employeeId")
      AND e.organization_id = r.organization_id;
    ANALYZE legacy_transaction_facts)sql");
  decide(db, {.legacy_table = "transaction.transactions",
              .checked = R"sql(
      SELECT id, present, id AS unique_key, created_at,
        CASE WHEN uuid IS NULL THEN 'invalid_id'
             WHEN run_id IS NULL OR wallet_id IS NULL THEN 'orphan'
             WHEN minor <> trunc(minor) THEN 'inexact_amount'
             WHEN minor <= 0 THEN 'invalid_amount'
             WHEN char_length(signature) > 255 THEN 'invalid_signature' END AS reason
      FROM legacy_transaction_facts)sql",
              .duplicate_reason = "duplicate_id"});
}

void write_transactions(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_new_transactions ON COMMIT DROP AS
    SELECT f.* FROM legacy_transaction_facts f
    JOIN legacy_outcomes o ON o.legacy_table = 'transaction.transactions' AND o.legacy_id = f.id
      AND o.outcome = 'written';
    ANALYZE legacy_new_transactions;

    INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency)
    SELECT gen_random_uuid(), organization_id, 'EXTERNAL', organization_id, currency
    FROM (SELECT DISTINCT organization_id, currency FROM legacy_new_transactions) AS needed
    ON CONFLICT ON CONSTRAINT wallets_owner_key DO NOTHING;

    INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
      from_wallet_id, to_wallet_id, payroll_run_id, notes, external_reference, failure_reason,
      created_at, updated_at, completed_at, source)
    SELECT f.uuid, f.organization_id, f.type, f.status, f.minor::bigint, f.currency,
      clearing.id, f.wallet_id, f.run_id, left(f.notes, 1000), f.signature,
      CASE WHEN f.status = 'FAILED' THEN left(coalesce(f.error, format(
        'was %s in the legacy system when imported: its outcome on chain is unknown',
        f.legacy_status)), 1000) END,
      f.created_at AT TIME ZONE 'UTC', f.updated_at,
      CASE WHEN f.status = 'COMPLETED' THEN coalesce(f.completed_at, f.updated_at) END, 'LEGACY'
    FROM legacy_new_transactions f
    JOIN wallet.wallets clearing ON clearing.organization_id = f.organization_id
      AND clearing.owner_type = 'EXTERNAL' AND clearing.owner_id = f.organization_id
      AND clearing.currency = f.currency;
    -- Fresh statistics, or the logs' and items' foreign key checks scan it row by row.
    ANALYZE transaction.transactions;

    INSERT INTO transaction.transaction_logs (organization_id, transaction_id, to_status, reason,
      created_at)
    SELECT organization_id, uuid, status, 'imported from the legacy system',
      coalesce(completed_at, updated_at)
    FROM legacy_new_transactions;

    UPDATE payroll.payroll_items i SET transaction_id = paid.uuid
    FROM (SELECT DISTINCT ON (run_id, employee_id) run_id, employee_id, uuid
          FROM legacy_new_transactions WHERE status = 'COMPLETED' AND type = 'PAYROLL'
          ORDER BY run_id, employee_id, coalesce(completed_at, updated_at) DESC, id) AS paid
    WHERE i.run_id = paid.run_id AND i.employee_id = paid.employee_id AND i.status = 'PAID'
      AND i.transaction_id IS NULL;

    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'transaction.transactions', id, note FROM legacy_new_transactions, LATERAL (VALUES
      (CASE WHEN legacy_status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')
            THEN format('was %s in the legacy system: imported FAILED', legacy_status) END),
      (CASE WHEN legacy_type = 'REFUND' THEN 'a legacy REFUND: imported as an ADJUSTMENT' END))
      AS n(note)
    WHERE note IS NOT NULL)sql");
}

}  // namespace

void convert_transactions(db::BlockingConnection& db) {
  decide_transactions(db);
  write_transactions(db);
  record_amounts(db, {.legacy_table = "transaction.transactions",
                      .column = "amount",
                      .read = "SELECT id, currency, amount FROM legacy_transaction_facts",
                      .written = R"sql(
      SELECT n.currency, sum(t.amount::numeric / 10::numeric ^ c.scale) AS total
      FROM transaction.transactions t JOIN legacy_new_transactions n ON n.uuid = t.id
      JOIN core.currencies c ON c.code = n.currency GROUP BY 1)sql"});
}

}  // namespace payrollx::legacy
