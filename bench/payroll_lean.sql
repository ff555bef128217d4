-- The lean model of bench/payroll (the performance issue's yardstick): the same payroll
-- execute written to the smallest schema that still keeps the ledger's guarantees, in its own
-- schema `bench_lean` of the same database, so that both run on the same cluster in one bench.
-- Balances under CHECK (balance >= 0), double entry with the balance after each entry, every
-- payment a transaction, a notice per employee, one audit row; nothing else: no foreign keys,
-- one index per table beyond its key, text states without CHECKs, no history lines, no hold, no
-- idempotency row, no hash chain.
--
-- Two parts, chosen with -v part=: `copy` (not timed) copies an approved run of the real
-- schema (its items and amounts, its employees and their wallets) into the lean tables;
-- `execute` (timed) pays it in one transaction:
--   lock the run; debit the treasury once; one transaction per paid item; credit every
--   wallet; a debit entry per transaction (running balance) and a credit entry per wallet;
--   the notices; the items PAID; the run COMPLETED; the audit row.
--
-- Variables (psql -v): part, org, run, treasury, user.

\if :{?part}
\else
  \echo 'payroll_lean.sql needs -v part=copy or -v part=execute'
  \quit
\endif

SELECT :'part' = 'copy' AS copying \gset
\if :copying

CREATE SCHEMA IF NOT EXISTS bench_lean;
CREATE TABLE IF NOT EXISTS bench_lean.employees (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, user_id uuid);
CREATE TABLE IF NOT EXISTS bench_lean.wallets (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, owner_id uuid NOT NULL,
  currency text NOT NULL, balance bigint NOT NULL CHECK (balance >= 0),
  UNIQUE (owner_id, currency));
CREATE TABLE IF NOT EXISTS bench_lean.runs (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, status text NOT NULL,
  currency text NOT NULL, total_net bigint NOT NULL, executed_by uuid, executed_at timestamptz);
CREATE TABLE IF NOT EXISTS bench_lean.items (
  id uuid PRIMARY KEY, run_id uuid NOT NULL, employee_id uuid NOT NULL, wallet_id uuid NOT NULL,
  position integer NOT NULL, net bigint NOT NULL, status text NOT NULL, transaction_id uuid);
CREATE INDEX IF NOT EXISTS items_run_idx ON bench_lean.items (run_id, position);
CREATE TABLE IF NOT EXISTS bench_lean.transactions (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, amount bigint NOT NULL,
  currency text NOT NULL, from_wallet_id uuid NOT NULL, to_wallet_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS transactions_list_idx
  ON bench_lean.transactions (organization_id, created_at);
CREATE TABLE IF NOT EXISTS bench_lean.entries (
  id bigserial PRIMARY KEY, wallet_id uuid NOT NULL, transaction_id uuid NOT NULL,
  amount bigint NOT NULL, balance_after bigint NOT NULL);
CREATE INDEX IF NOT EXISTS entries_wallet_idx ON bench_lean.entries (wallet_id, id);
CREATE TABLE IF NOT EXISTS bench_lean.notifications (
  id bigserial PRIMARY KEY, recipient_id uuid NOT NULL, title text NOT NULL, body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS notifications_inbox_idx
  ON bench_lean.notifications (recipient_id, created_at);
CREATE TABLE IF NOT EXISTS bench_lean.audit (
  id bigserial PRIMARY KEY, organization_id uuid NOT NULL, action text NOT NULL,
  entity_id uuid NOT NULL, actor_id uuid, created_at timestamptz NOT NULL DEFAULT now());

BEGIN;
INSERT INTO bench_lean.runs (id, organization_id, status, currency, total_net)
SELECT id, organization_id, 'APPROVED', currency, total_net FROM payroll.payroll_runs
WHERE organization_id = :'org' AND id = :'run';
INSERT INTO bench_lean.items (id, run_id, employee_id, wallet_id, position, net, status)
SELECT id, run_id, employee_id, wallet_id, position, net, 'PENDING' FROM payroll.payroll_items
WHERE organization_id = :'org' AND run_id = :'run';
INSERT INTO bench_lean.employees (id, organization_id, user_id)
SELECT id, organization_id, user_id FROM employee.employees WHERE organization_id = :'org';
INSERT INTO bench_lean.wallets (id, organization_id, owner_id, currency, balance)
SELECT id, organization_id, owner_id, currency, balance FROM wallet.wallets
WHERE organization_id = :'org' AND owner_type <> 'EXTERNAL';
COMMIT;
VACUUM (ANALYZE) bench_lean.runs, bench_lean.items, bench_lean.employees, bench_lean.wallets;

\else

BEGIN ISOLATION LEVEL READ COMMITTED;
-- The memory the server's execute gives its statements (db::Tx::use_bulk_memory).
SET LOCAL work_mem = '64MB';

SELECT currency FROM bench_lean.runs WHERE id = :'run' AND status = 'APPROVED' FOR UPDATE \gset

WITH pay AS MATERIALIZED (
  SELECT i.position, i.id AS item_id, i.wallet_id, i.net, e.user_id,
    public.bench_uuid7(i.position) AS transaction_id
  FROM bench_lean.items i JOIN bench_lean.employees e ON e.id = i.employee_id
  WHERE i.run_id = :'run' AND i.net > 0
), debited AS (
  UPDATE bench_lean.wallets w SET balance = w.balance - t.net
  FROM (SELECT sum(net)::bigint AS net FROM pay) t
  WHERE w.id = :'treasury'
  RETURNING w.id, w.balance + t.net AS opening
), created AS (
  INSERT INTO bench_lean.transactions (id, organization_id, amount, currency, from_wallet_id,
    to_wallet_id)
  SELECT p.transaction_id, :'org', p.net, :'currency', :'treasury', p.wallet_id
  FROM pay p ORDER BY p.position
  RETURNING 1
), credited AS (
  UPDATE bench_lean.wallets w SET balance = w.balance + p.net
  FROM pay p WHERE w.id = p.wallet_id
  RETURNING w.id, w.balance AS balance_after
), entries AS (
  INSERT INTO bench_lean.entries (wallet_id, transaction_id, amount, balance_after)
  SELECT leg.wallet_id, leg.transaction_id, leg.amount, leg.balance_after
  FROM (
    SELECT p.position, 0 AS credit, d.id AS wallet_id, p.transaction_id, -p.net AS amount,
      d.opening - sum(p.net) OVER (ORDER BY p.position) AS balance_after
    FROM pay p, debited d
    UNION ALL
    SELECT p.position, 1, p.wallet_id, p.transaction_id, p.net, c.balance_after
    FROM pay p JOIN credited c ON c.id = p.wallet_id
  ) leg ORDER BY leg.position, leg.credit
  RETURNING 1
), notified AS (
  INSERT INTO bench_lean.notifications (recipient_id, title, body)
  SELECT p.user_id, 'Your payslip is available',
    format('Net pay %s %s (minor units).', p.net, :'currency')
  FROM pay p WHERE p.user_id IS NOT NULL
  RETURNING 1
), paid AS (
  UPDATE bench_lean.items i SET status = 'PAID', transaction_id = p.transaction_id
  FROM pay p WHERE i.id = p.item_id
  RETURNING 1
), completed AS (
  UPDATE bench_lean.runs SET status = 'COMPLETED', executed_by = :'user', executed_at = now()
  WHERE id = :'run'
  RETURNING 1
)
SELECT (SELECT count(*) FROM created) AS paid, (SELECT count(*) FROM entries) AS entries,
  (SELECT count(*) FROM notified) AS notices, (SELECT count(*) FROM paid) AS items,
  (SELECT count(*) FROM completed) AS runs \gset

INSERT INTO bench_lean.audit (organization_id, action, entity_id, actor_id)
VALUES (:'org', 'payroll.run.executed', :'run', :'user');

COMMIT;

\echo paid :paid entries :entries notices :notices items :items runs :runs
\endif
