-- The check of wallet/0008, planned for a run's statement, reads the statement's organisations'
-- transactions and wallets only ($1): a run's 200,000 entries hashed every transaction and every
-- wallet of the database (0.31 s of the execute in the bench's two organisations, and more the
-- more organisations share the database). The probes of a transfer's entries are unchanged.
CREATE OR REPLACE FUNCTION wallet.check_entry_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- A run's entries (200,000 for 100,000 employees), planned for the statement: hash anti-joins
  -- over the wallets and the transactions, 0.13 s where a lookup per entry took 0.85 s (psql).
  planned constant text := $check$
    SELECT 'transaction' AS reference, n.transaction_id AS id, n.id AS entry FROM new_entries n
    WHERE NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = ANY($1)
                        AND t.organization_id = n.organization_id AND t.id = n.transaction_id)
    UNION ALL
    SELECT 'wallet in its currency', n.wallet_id, n.id FROM new_entries n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = ANY($1)
                        AND w.organization_id = n.organization_id AND w.id = n.wallet_id
                        AND w.currency = n.currency)
    LIMIT 1
  $check$;
  missing record;
BEGIN
  IF (SELECT count(*) FROM new_entries) > core.probed_at_most() THEN
    EXECUTE planned INTO missing
      USING (SELECT array_agg(DISTINCT organization_id) FROM new_entries);
  ELSE
    -- A transfer's two entries: a lookup each, with a plan kept for the session (EXECUTE would
    -- plan every statement). OFFSET 0 keeps each lookup a subplan probing the key.
    SELECT 'transaction' AS reference, n.transaction_id AS id, n.id AS entry INTO missing
    FROM new_entries n
    WHERE NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.transaction_id
                      OFFSET 0)
    UNION ALL
    SELECT 'wallet in its currency', n.wallet_id, n.id FROM new_entries n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.wallet_id
                        AND w.currency = n.currency OFFSET 0)
    LIMIT 1;
  END IF;
  IF missing.reference IS NOT NULL THEN
    RAISE EXCEPTION 'wallet entry % names a % that its organisation does not have: %',
      missing.entry, missing.reference, missing.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
