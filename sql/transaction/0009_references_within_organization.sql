-- The check of transaction/0008, planned for a run's statement, reads the statement's
-- organisations' rows only ($1) and looks up each distinct source wallet once: a run of 100,000
-- payments hashed every wallet of the database twice (once for the treasury that every payment
-- comes from), 0.30 s of the execute in the bench's two organisations, and more the more
-- organisations share the database. The probes of a transfer's rows are unchanged.
CREATE OR REPLACE FUNCTION transaction.check_transaction_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- What an insert names (reversal_of nearly never), and what an update may set: reversed_by.
  -- Planned for a run's statement (100,000 rows): hash anti-joins over the rows of the
  -- statement's organisations ($1), its few source wallets looked up once each.
  inserted constant text := $check$
    SELECT 'source wallet in its currency' AS reference, s.from_wallet_id AS id,
      (SELECT n.id FROM new_transactions n
       WHERE n.organization_id = s.organization_id AND n.from_wallet_id = s.from_wallet_id
         AND n.currency = s.currency LIMIT 1) AS row_id
    FROM (SELECT DISTINCT organization_id, from_wallet_id, currency FROM new_transactions) s
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = ANY($1)
                        AND w.organization_id = s.organization_id AND w.id = s.from_wallet_id
                        AND w.currency = s.currency)
    UNION ALL
    SELECT 'destination wallet', n.to_wallet_id, n.id FROM new_transactions n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = ANY($1)
                        AND w.organization_id = n.organization_id AND w.id = n.to_wallet_id)
    UNION ALL
    SELECT 'reversed transaction', n.reversal_of, n.id FROM new_transactions n
    WHERE n.reversal_of IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = ANY($1)
                        AND t.organization_id = n.organization_id AND t.id = n.reversal_of)
    LIMIT 1
  $check$;
  updated constant text := $check$
    SELECT 'reversal' AS reference, n.reversed_by AS id, n.id AS row_id FROM new_transactions n
    WHERE n.reversed_by IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = ANY($1)
                        AND t.organization_id = n.organization_id AND t.id = n.reversed_by)
    LIMIT 1
  $check$;
  missing record;
BEGIN
  IF (SELECT count(*) FROM new_transactions) > core.probed_at_most() THEN
    EXECUTE CASE WHEN TG_OP = 'INSERT' THEN inserted ELSE updated END INTO missing
      USING (SELECT array_agg(DISTINCT organization_id) FROM new_transactions);
  ELSIF TG_OP = 'INSERT' THEN
    -- A transfer's rows: a lookup per reference, with a plan kept for the session. OFFSET 0
    -- keeps each lookup a subplan probing the key.
    SELECT 'source wallet in its currency' AS reference, n.from_wallet_id AS id, n.id AS row_id
    INTO missing FROM new_transactions n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.from_wallet_id
                        AND w.currency = n.currency OFFSET 0)
    UNION ALL
    SELECT 'destination wallet', n.to_wallet_id, n.id FROM new_transactions n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.to_wallet_id
                      OFFSET 0)
    UNION ALL
    SELECT 'reversed transaction', n.reversal_of, n.id FROM new_transactions n
    WHERE n.reversal_of IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.reversal_of
                      OFFSET 0)
    LIMIT 1;
  ELSE
    SELECT 'reversal' AS reference, n.reversed_by AS id, n.id AS row_id INTO missing
    FROM new_transactions n
    WHERE n.reversed_by IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.reversed_by
                      OFFSET 0)
    LIMIT 1;
  END IF;
  IF missing.reference IS NOT NULL THEN
    RAISE EXCEPTION 'transaction % names a % that its organisation does not have: %',
      missing.row_id, missing.reference, missing.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
