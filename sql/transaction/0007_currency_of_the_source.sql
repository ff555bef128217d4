-- A transaction's currency is its source wallet's (a transfer's two wallets share it, a deposit
-- comes from the clearing wallet of its currency, a payroll payment from the treasury of the
-- run's, a reversal from the wallet its original paid into): the foreign key to the source
-- wallet says so, through wallets_currency_key (wallet/0007_lean_ledger.sql). It replaces the
-- check of the currency against core.currencies, one per row, which only said that the code
-- exists (the wallet's own foreign key says that).
ALTER TABLE transaction.transactions
  DROP CONSTRAINT transactions_currency_fkey,
  DROP CONSTRAINT transactions_from_wallet_fkey,
  ADD CONSTRAINT transactions_from_wallet_fkey
    FOREIGN KEY (organization_id, from_wallet_id, currency)
    REFERENCES wallet.wallets (organization_id, id, currency);
