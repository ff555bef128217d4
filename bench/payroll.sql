-- The baseline of bench/payroll: what POST /api/v1/payroll/runs/{id}/execute writes for an
-- APPROVED run (modules/payroll/execution.cpp), written as plain set-based SQL in one
-- transaction from psql, with nothing between the statements: the ceiling of the API's execute on
-- the same database. It writes what the server writes, row for row:
--   core.idempotency_keys         the key claimed, then the answer stored (core/idempotency.cpp)
--   payroll.payroll_runs          locked, then COMPLETED
--   wallet.holds                  the approval's hold released
--   wallet.wallets                the treasury once (balance and held), every employee's once
--                                 with one UPDATE … FROM
--   transaction.transactions      one PAYROLL transaction per employee (its history is the row:
--                                 no transaction_logs line)
--   wallet.entries                a debit of the treasury (with the run's running balance_after)
--                                 and a credit of the employee's wallet per transaction, in the
--                                 order the server posts them
--   payroll.payroll_items         every item PAID with its transaction
--   notification.notifications    "payroll.payslip.available" to each employee's portal user and
--                                 "payroll.run.completed" to the run's creator and approver
--   compliance.audit_logs         "payroll.run.executed", queued for the server's sealer
-- The ids are time-ordered like the server's UUIDv7 (public.bench_uuid7), so that inserts land in
-- index order as the server's do. The run's JSON of the audit entry and the stored answer is the
-- row's (row_to_json), about the size of the API's.
--
-- Variables (psql -v): org, run, user (the executing user), key (the Idempotency-Key).

BEGIN ISOLATION LEVEL READ COMMITTED;
-- The memory the server's execute gives its statements (db::Tx::use_bulk_memory).
SET LOCAL work_mem = '64MB';

INSERT INTO core.idempotency_keys AS k (organization_id, key, fingerprint, expires_at)
VALUES (:'org', :'key',
  encode(sha256(convert_to('POST /api/v1/payroll/runs/' || :'run' || '/execute', 'UTF8')), 'hex'),
  now() + interval '1 day')
RETURNING true AS claimed \gset

SELECT row_to_json(r)::text AS run_before FROM payroll.payroll_runs r
WHERE organization_id = :'org' AND id = :'run' AND status = 'APPROVED' FOR UPDATE \gset

WITH pay AS MATERIALIZED (
  SELECT i.position, i.id AS item_id, i.employee_id, i.wallet_id, i.net, i.gross, e.user_id,
    public.bench_uuid7(i.position) AS transaction_id
  FROM payroll.payroll_items i
    JOIN employee.employees e ON e.organization_id = :'org' AND e.id = i.employee_id
  WHERE i.organization_id = :'org' AND i.run_id = :'run' AND i.net > 0
), total AS (
  SELECT sum(net)::bigint AS net FROM pay
), released AS (
  UPDATE wallet.holds SET status = 'RELEASED', released_at = now()
  WHERE organization_id = :'org' AND reference = :'run' AND status = 'ACTIVE'
  RETURNING wallet_id, amount
), debited AS (
  UPDATE wallet.wallets w SET balance = w.balance - t.net, held = w.held - r.amount,
    updated_at = now()
  FROM total t, released r
  WHERE w.organization_id = :'org' AND w.id = r.wallet_id
  RETURNING w.id, w.balance + t.net AS opening, w.currency
), credited AS (
  UPDATE wallet.wallets w SET balance = w.balance + p.net, updated_at = now()
  FROM pay p WHERE w.organization_id = :'org' AND w.id = p.wallet_id
  RETURNING w.id, w.balance AS balance_after
), created AS (
  INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
    from_wallet_id, to_wallet_id, payroll_run_id, created_by, completed_at)
  SELECT p.transaction_id, :'org', 'PAYROLL', 'COMPLETED', p.net, d.currency, d.id, p.wallet_id,
    :'run', :'user', now()
  FROM pay p, debited d ORDER BY p.position
  RETURNING 1
), entries AS (
  INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction, amount,
    balance_after, currency)
  SELECT public.bench_uuid7(2 * leg.position + leg.credit), :'org', leg.wallet_id,
    leg.transaction_id, leg.direction, leg.amount, leg.balance_after, leg.currency
  FROM (
    SELECT p.position, 0 AS credit, d.id AS wallet_id, p.transaction_id, 'DEBIT' AS direction,
      p.net AS amount, d.opening - sum(p.net) OVER (ORDER BY p.position) AS balance_after,
      d.currency
    FROM pay p, debited d
    UNION ALL
    SELECT p.position, 1, p.wallet_id, p.transaction_id, 'CREDIT', p.net, c.balance_after,
      d.currency
    FROM pay p JOIN credited c ON c.id = p.wallet_id, debited d
  ) leg ORDER BY leg.position, leg.credit
  RETURNING 1
), paid AS (
  UPDATE payroll.payroll_items i SET status = 'PAID', transaction_id = p.transaction_id
  FROM pay p WHERE i.organization_id = :'org' AND i.run_id = :'run' AND i.id = p.item_id
    AND i.status = 'PENDING'
  RETURNING 1
), completed AS (
  UPDATE payroll.payroll_runs SET status = 'COMPLETED', executed_by = :'user',
    executed_at = now(), updated_at = now()
  WHERE organization_id = :'org' AND id = :'run'
  RETURNING *
), notified AS (
  INSERT INTO notification.notifications (organization_id, user_id, event_type, title, body, data)
  SELECT :'org'::uuid, p.user_id, 'payroll.payslip.available', 'Your payslip is available',
    format('Your payslip for %s to %s is available: net pay %s %s (minor units), paid on %s.',
      r.period_start, r.period_end, p.net, r.currency, r.pay_date),
    json_build_object('runId', r.id, 'type', r.type, 'periodStart', r.period_start,
      'periodEnd', r.period_end, 'payDate', r.pay_date, 'currency', r.currency,
      'employeeId', p.employee_id, 'net', p.net, 'gross', p.gross,
      'transactionId', p.transaction_id)
  FROM pay p, completed r WHERE p.user_id IS NOT NULL
  UNION ALL
  SELECT :'org'::uuid, m.user_id, 'payroll.run.completed', 'Payroll run completed',
    format('The %s payroll run for %s to %s was paid: %s %s (minor units) to %s employees.',
      r.type, r.period_start, r.period_end, r.total_net, r.currency, r.employee_count),
    json_build_object('runId', r.id, 'type', r.type, 'periodStart', r.period_start,
      'periodEnd', r.period_end, 'payDate', r.pay_date, 'currency', r.currency,
      'totalNet', r.total_net, 'employeeCount', r.employee_count)
  FROM completed r, LATERAL (SELECT DISTINCT u FROM unnest(ARRAY[r.created_by, r.approved_by]) u
                             WHERE u IS NOT NULL) m(user_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM pay) AS paid,
  (SELECT count(*) FROM entries) AS entries, (SELECT count(*) FROM paid) AS items,
  (SELECT count(*) FROM notified) AS notices,
  (SELECT row_to_json(r)::text FROM completed r) AS run_after \gset

\ir payroll_answer.sql

COMMIT;

\echo paid :paid entries :entries items :items notices :notices
