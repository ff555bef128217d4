// payroll.payroll_runs and payroll.payroll_items → payroll runs and items, history: amounts are
// in major units of the run's currency; a COMPLETED run stays COMPLETED (its items PAID) and
// moves no money now; DRAFT and PENDING runs become DRAFT; a FAILED or PROCESSING one becomes
// FAILED (its items cancelled), noted. Legacy runs had no schedule: they are OFF_CYCLE, paying
// their scheduled date. The items are the truth: a run's totals are their sums, and a legacy
// total that differs is noted with the difference.
#include "legacy/rules.hpp"

namespace payrollx::legacy {
namespace {

void decide_runs(db::BlockingConnection& db) {
  decide(db, {.legacy_table = "payroll.payroll_runs",
              .checked = R"sql(
      SELECT s.id, t.id IS NOT NULL AS present, s.id AS unique_key,
        s."createdAt"::timestamp AS created_at,
        CASE WHEN pg_temp.legacy_uuid(s.id) IS NULL THEN 'invalid_id'
             WHEN org.legacy_id IS NULL THEN 'orphan'
             WHEN s."deletedAt" IS NOT NULL THEN 'deleted'
             WHEN c.code IS NULL THEN 'unknown_currency' END AS reason
      FROM legacy_payroll_payroll_runs s
      LEFT JOIN payroll.payroll_runs t ON t.id = pg_temp.legacy_uuid(s.id)
      LEFT JOIN legacy_outcomes org ON org.legacy_table = 'org.organizations'
        AND org.legacy_id = s."organizationId" AND org.outcome IN ('written', 'present')
      LEFT JOIN core.currencies c ON c.code = s.currency)sql",
              .duplicate_reason = "duplicate_id"});
}

void decide_items(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_item_facts ON COMMIT DROP AS
    SELECT i.id, pg_temp.legacy_uuid(i.id) AS uuid, t.id IS NOT NULL AS present,
      run.legacy_id IS NOT NULL AS run_known, employee.id IS NOT NULL AS employee_known,
      pg_temp.legacy_uuid(i."payrollRunId") AS run_id, employee.id AS employee_id,
      employee.wallet_id, employee.last_name, employee.first_name, r.currency, c.scale,
      i.amount::numeric AS amount, i.amount::numeric * 10::numeric ^ c.scale AS minor,
      i."createdAt"::timestamp AS created_at, i."deletedAt" IS NOT NULL AS deleted
    FROM legacy_payroll_payroll_items i
    LEFT JOIN payroll.payroll_items t ON t.id = pg_temp.legacy_uuid(i.id)
    LEFT JOIN legacy_payroll_payroll_runs r ON r.id = i."payrollRunId"
    LEFT JOIN core.currencies c ON c.code = r.currency
    LEFT JOIN legacy_outcomes run ON run.legacy_table = 'payroll.payroll_runs'
      AND run.legacy_id = i."payrollRunId" AND run.outcome = 'written'
    LEFT JOIN employee.employees employee ON employee.id = pg_temp.legacy_uuid(i."employeeId");
    ANALYZE legacy_item_facts)sql");
  decide(db, {.legacy_table = "payroll.payroll_items",
              .checked = R"sql(
      SELECT id, present, run_id::text || ' ' || employee_id::text AS unique_key, created_at,
        CASE WHEN uuid IS NULL THEN 'invalid_id'
             WHEN NOT run_known OR NOT employee_known THEN 'orphan'
             WHEN deleted THEN 'deleted'
             WHEN minor <> trunc(minor) OR minor < 0 THEN 'inexact_amount' END AS reason
      FROM legacy_item_facts)sql",
              .duplicate_reason = "duplicate_item"});
}

void write_runs(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_new_runs ON COMMIT DROP AS
    SELECT s.id AS legacy_id, pg_temp.legacy_uuid(s.id) AS id,
      pg_temp.legacy_uuid(s."organizationId") AS organization_id, s.status AS legacy_status,
      CASE s.status WHEN 'COMPLETED' THEN 'COMPLETED' WHEN 'DRAFT' THEN 'DRAFT'
                    WHEN 'PENDING' THEN 'DRAFT' ELSE 'FAILED' END AS status,
      s."scheduledDate"::timestamp::date AS pay_date, s.currency, c.scale,
      s."totalAmount"::numeric AS legacy_total,
      u.id AS created_by, s."createdAt"::timestamp AT TIME ZONE 'UTC' AS created_at,
      s."updatedAt"::timestamp AT TIME ZONE 'UTC' AS updated_at
    FROM legacy_payroll_payroll_runs s
    JOIN legacy_outcomes o ON o.legacy_table = 'payroll.payroll_runs' AND o.legacy_id = s.id
      AND o.outcome = 'written'
    JOIN core.currencies c ON c.code = s.currency
    LEFT JOIN auth.users u ON u.id = pg_temp.legacy_uuid(s."createdBy");
    ANALYZE legacy_new_runs;

    INSERT INTO payroll.payroll_runs (id, organization_id, type, status, period_start,
      period_end, pay_date, currency, created_by, executed_at, created_at, updated_at, imported)
    SELECT id, organization_id, 'OFF_CYCLE', status, pay_date, pay_date, pay_date, currency,
      created_by, CASE WHEN status = 'COMPLETED' THEN updated_at END, created_at, updated_at, true
    FROM legacy_new_runs;

    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'payroll.payroll_runs', legacy_id,
      format('was %s in the legacy system: imported FAILED', legacy_status)
    FROM legacy_new_runs WHERE status = 'FAILED')sql");
}

void write_items(db::BlockingConnection& db) {
  db.run(R"sql(
    INSERT INTO payroll.payroll_items (id, organization_id, run_id, employee_id, wallet_id,
      position, base_pay, earnings, gross, pre_tax_deductions, taxable, tax,
      post_tax_deductions, net, status)
    SELECT f.uuid, r.organization_id, f.run_id, f.employee_id, f.wallet_id,
      row_number() OVER (PARTITION BY f.run_id ORDER BY f.last_name, f.first_name, f.id) - 1,
      f.minor::bigint, 0, f.minor::bigint, 0, f.minor::bigint, 0, 0, f.minor::bigint,
      CASE r.status WHEN 'COMPLETED' THEN 'PAID' WHEN 'DRAFT' THEN 'PENDING'
                    ELSE 'CANCELLED' END
    FROM legacy_item_facts f
    JOIN legacy_outcomes o ON o.legacy_table = 'payroll.payroll_items' AND o.legacy_id = f.id
      AND o.outcome = 'written'
    JOIN legacy_new_runs r ON r.id = f.run_id;

    -- The items are the truth.
    UPDATE payroll.payroll_runs r SET total_gross = totals.net, total_net = totals.net,
      employee_count = totals.count
    FROM (SELECT run_id, sum(net) AS net, count(*) AS count FROM payroll.payroll_items
          WHERE run_id IN (SELECT id FROM legacy_new_runs) GROUP BY run_id) AS totals
    WHERE r.id = totals.run_id;

    INSERT INTO legacy_notes (legacy_table, legacy_id, note)
    SELECT 'payroll.payroll_runs', n.legacy_id,
      format('its items add up to %s, its legacy total was %s: the items are the truth',
             trim_scale(r.total_net::numeric / 10::numeric ^ n.scale), trim_scale(n.legacy_total))
    FROM legacy_new_runs n JOIN payroll.payroll_runs r ON r.id = n.id
    WHERE r.total_net::numeric / 10::numeric ^ n.scale <> n.legacy_total)sql");
}

}  // namespace

void convert_payroll_runs(db::BlockingConnection& db) {
  decide_runs(db);
  write_runs(db);
}

void convert_payroll_items(db::BlockingConnection& db) {
  decide_items(db);
  write_items(db);
  record_amounts(db, {.legacy_table = "payroll.payroll_items",
                      .column = "amount",
                      .read = "SELECT id, currency, amount FROM legacy_item_facts",
                      .written = R"sql(
      SELECT r.currency, sum(i.net::numeric / 10::numeric ^ r.scale) AS total
      FROM payroll.payroll_items i JOIN legacy_new_runs r ON r.id = i.run_id GROUP BY 1)sql"});
}

}  // namespace payrollx::legacy
