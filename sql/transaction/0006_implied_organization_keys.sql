-- Implied organisation keys (the reason: wallet/0006_implied_organization_keys.sql): a
-- transaction names its wallets by (organization_id, wallet_id), and logs and settlements name
-- their transaction the same way.
ALTER TABLE transaction.transactions DROP CONSTRAINT transactions_organization_id_fkey;
ALTER TABLE transaction.transaction_logs DROP CONSTRAINT transaction_logs_organization_id_fkey;
ALTER TABLE transaction.settlements DROP CONSTRAINT settlements_organization_id_fkey;
