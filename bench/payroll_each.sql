-- The per-employee way of bench/payroll: the same effects as bench/payroll.sql (what execute
-- writes), in one transaction, but with one round trip per employee: one prepared statement,
-- pay_one, that pays one employee (debits the treasury, credits their wallet, inserts the
-- transaction, both entries and the notification, marks the item PAID), sent
-- once per employee by the file of EXECUTE lines that bench/payroll generates from the run's
-- items beforehand (the variable `lines`). One statement per employee is the least a row-by-row
-- execution can do; an ORM would send several. The constant part (the key, the run's lock and
-- completion, the hold, the members' notices, the audit entry) is written as in bench/payroll.sql.
--
-- Variables (psql -v): org, run, user, key, treasury, lines (the file of EXECUTE lines).

PREPARE pay_one(integer, uuid, uuid, uuid, bigint, bigint, uuid) AS
WITH debited AS (
  UPDATE wallet.wallets SET balance = balance - $5, updated_at = now()
  WHERE organization_id = :'org' AND id = :'treasury'
  RETURNING id, balance, currency
), credited AS (
  UPDATE wallet.wallets SET balance = balance + $5, updated_at = now()
  WHERE organization_id = :'org' AND id = $4
  RETURNING id, balance
), created AS (
  INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
    from_wallet_id, to_wallet_id, payroll_run_id, created_by, completed_at)
  SELECT public.bench_uuid7($1), :'org', 'PAYROLL', 'COMPLETED', $5, d.currency, d.id, c.id,
    :'run', :'user', now()
  FROM debited d, credited c
  RETURNING id
), entries AS (
  INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction, amount,
    balance_after, currency)
  SELECT public.bench_uuid7(2 * $1), :'org'::uuid, d.id, t.id, 'DEBIT', $5, d.balance, d.currency
  FROM created t, debited d
  UNION ALL
  SELECT public.bench_uuid7(2 * $1 + 1), :'org'::uuid, c.id, t.id, 'CREDIT', $5, c.balance, d.currency
  FROM created t, credited c, debited d
), paid AS (
  UPDATE payroll.payroll_items i SET status = 'PAID', transaction_id = t.id
  FROM created t WHERE i.organization_id = :'org' AND i.id = $2 AND i.status = 'PENDING'
)
INSERT INTO notification.notifications (organization_id, user_id, event_type, title, body, data)
SELECT :'org'::uuid, $7, 'payroll.payslip.available', 'Your payslip is available',
  format('Your payslip for %s to %s is available: net pay %s %s (minor units), paid on %s.',
    r.period_start, r.period_end, $5, r.currency, r.pay_date),
  json_build_object('runId', r.id, 'type', r.type, 'periodStart', r.period_start,
    'periodEnd', r.period_end, 'payDate', r.pay_date, 'currency', r.currency,
    'employeeId', $3, 'net', $5, 'gross', $6, 'transactionId', t.id)
FROM payroll.payroll_runs r, created t
WHERE r.organization_id = :'org' AND r.id = :'run' AND $7 IS NOT NULL;

BEGIN ISOLATION LEVEL READ COMMITTED;

INSERT INTO core.idempotency_keys AS k (organization_id, key, fingerprint, expires_at)
VALUES (:'org', :'key',
  encode(sha256(convert_to('POST /api/v1/payroll/runs/' || :'run' || '/execute', 'UTF8')), 'hex'),
  now() + interval '1 day')
RETURNING true AS claimed \gset

SELECT row_to_json(r)::text AS run_before FROM payroll.payroll_runs r
WHERE organization_id = :'org' AND id = :'run' AND status = 'APPROVED' FOR UPDATE \gset

WITH released AS (
  UPDATE wallet.holds SET status = 'RELEASED', released_at = now()
  WHERE organization_id = :'org' AND reference = :'run' AND status = 'ACTIVE'
  RETURNING wallet_id, amount
)
UPDATE wallet.wallets w SET held = w.held - r.amount, updated_at = now()
FROM released r WHERE w.organization_id = :'org' AND w.id = r.wallet_id;

\i :lines

WITH completed AS (
  UPDATE payroll.payroll_runs SET status = 'COMPLETED', executed_by = :'user',
    executed_at = now(), updated_at = now()
  WHERE organization_id = :'org' AND id = :'run'
  RETURNING *
), notified AS (
  INSERT INTO notification.notifications (organization_id, user_id, event_type, title, body, data)
  SELECT :'org'::uuid, m.user_id, 'payroll.run.completed', 'Payroll run completed',
    format('The %s payroll run for %s to %s was paid: %s %s (minor units) to %s employees.',
      r.type, r.period_start, r.period_end, r.total_net, r.currency, r.employee_count),
    json_build_object('runId', r.id, 'type', r.type, 'periodStart', r.period_start,
      'periodEnd', r.period_end, 'payDate', r.pay_date, 'currency', r.currency,
      'totalNet', r.total_net, 'employeeCount', r.employee_count)
  FROM completed r, LATERAL (SELECT DISTINCT u FROM unnest(ARRAY[r.created_by, r.approved_by]) u
                             WHERE u IS NOT NULL) m(user_id)
)
SELECT row_to_json(r)::text AS run_after FROM completed r \gset

\ir payroll_answer.sql

COMMIT;
