-- Organisation-first keys: the rule and its reason are in
-- compliance/0005_organization_first_keys.sql.
--
-- Dropping transactions_pkey drops the foreign keys that refer to a transaction by its id
-- alone: wallet entries' (put back here, where it was made), the logs', the settlements', the
-- reversal pair's, and the payroll items' (put back by payroll's migration 0005).
ALTER TABLE transaction.transactions DROP CONSTRAINT transactions_pkey CASCADE;
ALTER TABLE transaction.transactions
  ADD CONSTRAINT transactions_pkey PRIMARY KEY (organization_id, id);
-- One reversal per transaction. Partial unique indexes: nearly every transaction has neither
-- column set, and a full index starting with organization_id would compete with the primary key
-- for lookups by (organization_id, id). With statistics taken while the table was small, the
-- planner chose it for the foreign-key checks of wallet entries and scanned the organisation's
-- every transaction for each one (transfers at half their rate in bench/transfers).
ALTER TABLE transaction.transactions
  DROP CONSTRAINT transactions_reversal_of_key,
  DROP CONSTRAINT transactions_reversed_by_key;
CREATE UNIQUE INDEX transactions_reversal_of_key
  ON transaction.transactions (organization_id, reversal_of) WHERE reversal_of IS NOT NULL;
CREATE UNIQUE INDEX transactions_reversed_by_key
  ON transaction.transactions (organization_id, reversed_by) WHERE reversed_by IS NOT NULL;
ALTER TABLE transaction.transactions
  ADD CONSTRAINT transactions_reversal_of_fkey FOREIGN KEY (organization_id, reversal_of)
    REFERENCES transaction.transactions (organization_id, id),
  ADD CONSTRAINT transactions_reversed_by_fkey FOREIGN KEY (organization_id, reversed_by)
    REFERENCES transaction.transactions (organization_id, id),
  ADD CONSTRAINT transactions_from_wallet_fkey FOREIGN KEY (organization_id, from_wallet_id)
    REFERENCES wallet.wallets (organization_id, id),
  ADD CONSTRAINT transactions_to_wallet_fkey FOREIGN KEY (organization_id, to_wallet_id)
    REFERENCES wallet.wallets (organization_id, id);

ALTER TABLE transaction.transaction_logs DROP CONSTRAINT transaction_logs_pkey;
ALTER TABLE transaction.transaction_logs
  ADD CONSTRAINT transaction_logs_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT transaction_logs_transaction_fkey FOREIGN KEY (organization_id, transaction_id)
    REFERENCES transaction.transactions (organization_id, id);

ALTER TABLE transaction.settlements
  ADD CONSTRAINT settlements_transaction_fkey FOREIGN KEY (organization_id, transaction_id)
    REFERENCES transaction.transactions (organization_id, id);

ALTER TABLE wallet.entries ADD CONSTRAINT entries_transaction_fkey
  FOREIGN KEY (organization_id, transaction_id)
  REFERENCES transaction.transactions (organization_id, id);

-- A signature stays unique within its organisation. Across organisations no key can say it
-- once the rows are spread by organisation; it needs none: each signed transaction carries the
-- memo `payrollx withdrawal <id>`, so its signature belongs to that one withdrawal.
ALTER TABLE transaction.settlement_attempts
  DROP CONSTRAINT settlement_attempts_signature_key,
  ADD CONSTRAINT settlement_attempts_signature_key UNIQUE (organization_id, signature);
