-- A transaction's source wallet (in the transaction's currency), destination wallet, and the
-- transaction it reverses or that reverses it were four foreign keys: four row triggers per
-- transaction, 400,000 for a run of 100,000 employees (two of them for columns nearly always
-- NULL). One check per statement over the rows it wrote keeps the rules (core/0008 says why and
-- what keeps the parents).
ALTER TABLE transaction.transactions
  DROP CONSTRAINT transactions_from_wallet_fkey,
  DROP CONSTRAINT transactions_to_wallet_fkey,
  DROP CONSTRAINT transactions_reversal_of_fkey,
  DROP CONSTRAINT transactions_reversed_by_fkey;

CREATE FUNCTION transaction.check_transaction_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- What an insert names (reversal_of nearly never), and what an update may set: reversed_by.
  -- Planned for a run's statement (100,000 rows): hash anti-joins.
  inserted constant text := $check$
    SELECT 'source wallet in its currency' AS reference, n.from_wallet_id AS id, n.id AS row_id
    FROM new_transactions n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.from_wallet_id
                        AND w.currency = n.currency)
    UNION ALL
    SELECT 'destination wallet', n.to_wallet_id, n.id FROM new_transactions n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.to_wallet_id)
    UNION ALL
    SELECT 'reversed transaction', n.reversal_of, n.id FROM new_transactions n
    WHERE n.reversal_of IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.reversal_of)
    LIMIT 1
  $check$;
  updated constant text := $check$
    SELECT 'reversal' AS reference, n.reversed_by AS id, n.id AS row_id FROM new_transactions n
    WHERE n.reversed_by IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.reversed_by)
    LIMIT 1
  $check$;
  missing record;
BEGIN
  IF (SELECT count(*) FROM new_transactions) > core.probed_at_most() THEN
    EXECUTE CASE WHEN TG_OP = 'INSERT' THEN inserted ELSE updated END INTO missing;
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

CREATE TRIGGER transactions_references AFTER INSERT ON transaction.transactions
  REFERENCING NEW TABLE AS new_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION transaction.check_transaction_references();
CREATE TRIGGER transactions_reversals AFTER UPDATE ON transaction.transactions
  REFERENCING NEW TABLE AS new_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION transaction.check_transaction_references();

-- What wallet entries, payroll items, settlements and reversals name: a transaction, and what
-- it moved. Its status, reversal and settlement details change; its key and legs never do.
CREATE TRIGGER transactions_kept BEFORE DELETE OR TRUNCATE ON transaction.transactions
  FOR EACH STATEMENT
  EXECUTE FUNCTION core.refuse_change('entries, items, settlements and reversals name it');
CREATE TRIGGER transactions_key_kept
  BEFORE UPDATE OF organization_id, id, from_wallet_id, to_wallet_id, currency, amount,
    reversal_of ON transaction.transactions
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id OR OLD.id <> NEW.id
                     OR OLD.from_wallet_id <> NEW.from_wallet_id
                     OR OLD.to_wallet_id <> NEW.to_wallet_id OR OLD.currency <> NEW.currency
                     OR OLD.amount <> NEW.amount
                     OR OLD.reversal_of IS DISTINCT FROM NEW.reversal_of)
  EXECUTE FUNCTION core.refuse_change('its legs, its amount and what it reverses never change');
