-- pgbench script of bench/transfers: one transfer in the lean model (the performance issue's
-- yardstick), the smallest schema that keeps the ledger's guarantees, in schema bench_lean
-- (made by bench/transfers_lean_setup.sql from the organisation's real wallets):
--   an idempotency row claimed, both wallets locked in id order, the two balance updates under
--   the CHECK (balance >= 0), a transaction row, two entries with the balance after, the
--   idempotency row answered, an audit row.
-- The pair of wallets and the new ids are drawn as bench/transfers.sql draws them.
--
-- Variables from pgbench -D (bench/transfers): n (wallets in bench_wallets), org, user,
-- currency, amount.

\set a random(1, :n)
\set b (:a + random(1, :n - 1) - 1) % :n + 1

SELECT f.id AS from_id, t.id AS to_id, least(f.id, t.id) AS first_id,
  greatest(f.id, t.id) AS second_id, gen_random_uuid() AS txn,
  'pgbench-' || gen_random_uuid() AS idempotency_key
FROM public.bench_wallets f, public.bench_wallets t
WHERE f.n = :a AND t.n = :b \gset

BEGIN ISOLATION LEVEL READ COMMITTED;
INSERT INTO bench_lean.idempotency_keys (organization_id, key) VALUES (:org, :idempotency_key);
SELECT id FROM bench_lean.wallets WHERE id IN (:first_id, :second_id) ORDER BY id FOR NO KEY UPDATE;
UPDATE bench_lean.wallets SET balance = balance - :amount WHERE id = :from_id
  RETURNING balance AS from_after \gset
UPDATE bench_lean.wallets SET balance = balance + :amount WHERE id = :to_id
  RETURNING balance AS to_after \gset
INSERT INTO bench_lean.transactions (id, organization_id, amount, currency, from_wallet_id,
  to_wallet_id) VALUES (:txn, :org, :amount, :currency, :from_id, :to_id);
INSERT INTO bench_lean.entries (wallet_id, transaction_id, amount, balance_after)
  VALUES (:from_id, :txn, -:amount::bigint, :from_after), (:to_id, :txn, :amount, :to_after);
UPDATE bench_lean.idempotency_keys SET status = 201, body = :txn::text
  WHERE organization_id = :org AND key = :idempotency_key;
INSERT INTO bench_lean.audit (organization_id, action, entity_id, actor_id)
  VALUES (:org, 'transaction.transfer_completed', :txn, :user);
COMMIT;
