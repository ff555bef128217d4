-- pgbench script of bench/transfers: one transfer as PayrollX makes it for POST /api/v1/transfers,
-- the same statements in the same order with the same parameters, in the same round trips
-- (pgbench's pipelines where the server sends several statements at once: db::Tx::defer and
-- db::Tx::send), so that its figures are the ceiling of the API's on the same database. The
-- statement texts are those of
--   BEGIN ISOLATION LEVEL READ COMMITTED       core/db/pool.cpp (sent with the next statement)
--   core.claim_idempotency_key                 core/idempotency.cpp (k_claim), sent with
--                                              the standing check
--   auth.standing                              modules/auth/store.cpp (k_standing)
--   wallet.lock                                modules/wallet/store.cpp (k_lock)
--   transaction.insert                         modules/transaction/store.cpp (k_insert), sent
--                                              with the posting
--   wallet.post_pair                           modules/wallet/ledger_store.cpp (k_post_pair)
--   core.store_idempotent_answer               core/idempotency.cpp (k_store), with COMMIT
--   compliance.insert_entries                  modules/compliance/store.cpp (k_insert_entries),
--                                              with COMMIT
--   COMMIT
-- The server seals the audit entry into the organisation's chain after the commit, in a
-- transaction of its own shared with the other entries queued meanwhile (sealer.cpp); that
-- work is not in this script.
-- with pgbench variables for the bound parameters. The NULL parameters of transaction.insert
-- are written NULL (pgbench variables cannot be NULL).
--
-- What PayrollX computes in C++ comes from the first SELECT, before BEGIN: the pair of wallets
-- (public.bench_wallets, drawn as bench/transfers.lua draws them), the new ids, the idempotency
-- key and the request fingerprint, and the JSON answer (the body the key stores and the audit
-- entry's after).
--
-- Variables from pgbench -D (bench/transfers): n (wallets in bench_wallets), org, user,
-- session (a live refresh-token family of user), currency, lifetime, type, status, amount,
-- http_status, content_type, action, entity_type.

\set a random(1, :n)
\set b (:a + random(1, :n - 1) - 1) % :n + 1

SELECT f.id AS from_id, t.id AS to_id, g.txn,
  format('{%s,%s}', f.id, t.id) AS wallet_ids,
  gen_random_uuid() AS debit_entry, gen_random_uuid() AS credit_entry,
  gen_random_uuid() AS audit_id,
  'pgbench-' || gen_random_uuid() AS idempotency_key,
  'pgbench-' || gen_random_uuid() AS request_id,
  encode(sha256(convert_to('POST /api/v1/transfers' || chr(10) || json_build_object(
    'fromWalletId', f.id, 'toWalletId', t.id, 'amount', 1, 'type', 'TRANSFER')::text,
    'UTF8')), 'hex') AS fingerprint,
  json_build_object('id', g.txn, 'type', 'TRANSFER', 'status', 'COMPLETED', 'amount', 1,
    'currency', :currency::text, 'fromWalletId', f.id, 'toWalletId', t.id,
    'payrollRunId', NULL, 'reference', NULL, 'notes', NULL, 'destinationAddress', NULL,
    'externalReference', NULL, 'failureReason', NULL, 'reversalOfId', NULL,
    'reversedById', NULL, 'createdBy', :user::text, 'createdAt', g.at, 'updatedAt', g.at,
    'completedAt', g.at)::text AS answer
FROM public.bench_wallets f, public.bench_wallets t,
  (SELECT gen_random_uuid() AS txn, clock_timestamp() AS at) g
WHERE f.n = :a AND t.n = :b \gset

\startpipeline
BEGIN ISOLATION LEVEL READ COMMITTED;

INSERT INTO core.idempotency_keys AS k (organization_id, key, fingerprint, expires_at)
VALUES (:org, :idempotency_key, :fingerprint, now() + make_interval(secs => :lifetime))
ON CONFLICT (organization_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
  status = NULL, content_type = NULL, body = NULL, created_at = now(),
  expires_at = EXCLUDED.expires_at
WHERE k.expires_at < now() RETURNING true AS claimed;

-- standing: the re-check of the caller every money request makes (bench/transfers also runs
-- this script without it, to measure what it costs).
SELECT u.role, u.is_active, EXISTS (SELECT 1 FROM auth.refresh_tokens t
  WHERE t.family_id = :session AND t.user_id = u.id AND t.revoked_at IS NULL) AS session_live
FROM auth.users u WHERE u.id = :user AND u.organization_id IS NOT DISTINCT FROM :org;
-- standing end
\endpipeline

SELECT id, organization_id, owner_type, owner_id, currency, balance, held, status, created_at
FROM wallet.wallets
WHERE organization_id = :org AND id = ANY(:wallet_ids::uuid[])
ORDER BY owner_type = 'EXTERNAL', id FOR NO KEY UPDATE;

\startpipeline
INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
  from_wallet_id, to_wallet_id, reference, notes, destination_address, reversal_of,
  created_by, completed_at)
VALUES (:txn, :org, :type, :status, :amount, :currency, :from_id, :to_id, NULL, NULL, NULL,
  NULL, :user, CASE WHEN :status = 'COMPLETED' THEN now() END)
RETURNING id, organization_id, type, status, amount, currency, from_wallet_id, to_wallet_id,
  payroll_run_id, reference, notes, destination_address, external_reference, failure_reason,
  reversal_of, reversed_by, created_by, created_at, updated_at, completed_at, source;

WITH legs AS (
  SELECT * FROM (VALUES (:txn::uuid, :from_id::uuid, -:amount::bigint, :debit_entry::uuid,
    1::bigint), (:txn::uuid, :to_id::uuid, :amount::bigint, :credit_entry::uuid, 2::bigint))
    AS l(transaction_id, wallet_id, amount, entry_id, position)
), totals AS (
  SELECT wallet_id, sum(amount)::bigint AS total FROM legs GROUP BY wallet_id
), short AS (
  SELECT w.id, w.balance - w.held AS available, -t.total AS required
  FROM wallet.wallets w JOIN totals t ON t.wallet_id = w.id
  WHERE w.organization_id = :org AND w.id IN (:from_id::uuid, :to_id::uuid)
    AND w.owner_type <> 'EXTERNAL' AND w.balance - w.held + t.total < 0
), moved AS (
  UPDATE wallet.wallets w SET balance = w.balance + t.total, updated_at = now()
  FROM totals t WHERE w.organization_id = :org AND w.id IN (:from_id::uuid, :to_id::uuid)
    AND w.id = t.wallet_id
    AND NOT EXISTS (SELECT 1 FROM short)
  RETURNING w.id, w.balance - t.total AS opening, w.currency
), entries AS (
  INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction,
    amount, balance_after, currency)
  SELECT l.entry_id, :org, l.wallet_id, l.transaction_id,
    CASE WHEN l.amount < 0 THEN 'DEBIT' ELSE 'CREDIT' END, abs(l.amount),
    m.opening + sum(l.amount) OVER (PARTITION BY l.wallet_id ORDER BY l.position),
    m.currency
  FROM legs l JOIN moved m ON m.id = l.wallet_id ORDER BY l.position
  RETURNING id, wallet_id, transaction_id, direction, amount, balance_after, currency,
    created_at
) SELECT 'short' AS kind, id AS wallet_id, available, required, NULL::uuid AS id,
  NULL::uuid AS transaction_id, NULL AS direction, NULL::bigint AS amount,
  NULL::bigint AS balance_after, NULL AS currency, NULL::timestamptz AS created_at
FROM short UNION ALL
SELECT 'entry', wallet_id, NULL, NULL, id, transaction_id, direction, amount,
  balance_after, currency, created_at FROM entries WHERE true;
\endpipeline

\startpipeline
UPDATE core.idempotency_keys SET status = :http_status, content_type = :content_type,
  body = :answer WHERE organization_id = :org AND key = :idempotency_key;

WITH entries AS (
  INSERT INTO compliance.audit_logs (id, organization_id, actor_id, action, entity_type,
    entity_id, before, after, request_id, created_at)
  SELECT e.id, e.organization_id, NULLIF(e.actor_id, '')::uuid, e.action, e.entity_type,
    NULLIF(e.entity_id, '')::uuid, NULLIF(e.before, '')::json, NULLIF(e.after, '')::json,
    NULLIF(e.request_id, ''), e.created_at::timestamptz
  FROM unnest(ARRAY[:audit_id]::uuid[], ARRAY[:org]::uuid[], ARRAY[:user]::text[],
    ARRAY[:action]::text[], ARRAY[:entity_type]::text[], ARRAY[:txn]::text[], ARRAY['']::text[],
    ARRAY[:answer]::text[], ARRAY[:request_id]::text[], ARRAY[now()::text]::text[])
    AS e(id, organization_id, actor_id, action, entity_type, entity_id, before, after,
    request_id, created_at))
INSERT INTO compliance.audit_unsealed (organization_id, entry_id)
SELECT q.organization_id, q.id FROM unnest(ARRAY[:audit_id]::uuid[], ARRAY[:org]::uuid[])
  WITH ORDINALITY AS q(id, organization_id, n) ORDER BY q.n;

COMMIT;
\endpipeline
