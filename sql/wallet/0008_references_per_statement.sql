-- A wallet entry's transaction and wallet (in the entry's currency) were two foreign keys: two
-- row triggers per entry, 400,000 for a run of 100,000 employees. One check per statement over
-- the entries it wrote keeps the rule (core/0008 says why and what keeps the parents).
ALTER TABLE wallet.entries
  DROP CONSTRAINT entries_transaction_fkey,
  DROP CONSTRAINT entries_wallet_fkey;

CREATE FUNCTION wallet.check_entry_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing record;
BEGIN
  -- A transfer writes two entries, a run a few hundred thousand: one lookup per entry either
  -- way. OFFSET 0 keeps each lookup a subplan that probes the key, whatever the size of the
  -- statement that planned it first: the plan is kept for the session, and a hash over every
  -- wallet, right for a run, would be kept for the transfers after it.
  SELECT n.id, n.transaction_id, n.wallet_id, n.currency INTO missing FROM new_entries n
  WHERE NOT EXISTS (SELECT FROM transaction.transactions t
                    WHERE t.organization_id = n.organization_id AND t.id = n.transaction_id
                    OFFSET 0)
     OR NOT EXISTS (SELECT FROM wallet.wallets w
                    WHERE w.organization_id = n.organization_id AND w.id = n.wallet_id
                      AND w.currency = n.currency OFFSET 0)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'wallet entry % names transaction % or wallet % in %, which its '
      'organisation does not have', missing.id, missing.transaction_id, missing.wallet_id,
      missing.currency USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER entries_references AFTER INSERT ON wallet.entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION wallet.check_entry_references();
CREATE TRIGGER entries_references_kept
  BEFORE UPDATE OF organization_id, transaction_id, wallet_id, currency ON wallet.entries
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id
                     OR OLD.transaction_id <> NEW.transaction_id
                     OR OLD.wallet_id <> NEW.wallet_id OR OLD.currency <> NEW.currency)
  EXECUTE FUNCTION core.refuse_change();

-- What entries, transactions and payroll items name: a wallet, its currency and its owner.
CREATE TRIGGER wallets_kept BEFORE DELETE OR TRUNCATE ON wallet.wallets
  FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change();
CREATE TRIGGER wallets_key_kept
  BEFORE UPDATE OF organization_id, id, owner_id, currency ON wallet.wallets
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id OR OLD.id <> NEW.id
                     OR OLD.owner_id <> NEW.owner_id OR OLD.currency <> NEW.currency)
  EXECUTE FUNCTION core.refuse_change();
