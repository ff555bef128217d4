-- Organisation-first keys: the rule and its reason are in
-- compliance/0005_organization_first_keys.sql.
--
-- Dropping wallets_pkey drops, with it, the foreign keys of the later schemas that refer to a
-- wallet by its id alone (transactions, employees, payroll runs and items); each of those
-- schemas' own migration 0005, applied right after this one by the same `migrate`,
-- puts them back as (organization_id, wallet_id).
ALTER TABLE wallet.wallets DROP CONSTRAINT wallets_pkey CASCADE;
ALTER TABLE wallet.wallets ADD CONSTRAINT wallets_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE wallet.entries DROP CONSTRAINT entries_pkey;
ALTER TABLE wallet.entries ADD CONSTRAINT entries_pkey PRIMARY KEY (organization_id, id);
DROP INDEX wallet.entries_seq_key;
CREATE UNIQUE INDEX entries_seq_key ON wallet.entries (organization_id, seq);
ALTER TABLE wallet.entries ADD CONSTRAINT entries_wallet_fkey
  FOREIGN KEY (organization_id, wallet_id) REFERENCES wallet.wallets (organization_id, id);

ALTER TABLE wallet.holds DROP CONSTRAINT holds_pkey;
ALTER TABLE wallet.holds ADD CONSTRAINT holds_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE wallet.holds ADD CONSTRAINT holds_wallet_fkey
  FOREIGN KEY (organization_id, wallet_id) REFERENCES wallet.wallets (organization_id, id);
