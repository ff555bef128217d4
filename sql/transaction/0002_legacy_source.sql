-- Transactions imported from the legacy services (payrollx import-legacy) are history: payouts
-- that moved on chain, not through PayrollX wallets, so they have no wallet entries and the
-- reconciliation expects none. Their on-chain signature is their external reference.
ALTER TABLE transaction.transactions
  ADD COLUMN source text NOT NULL DEFAULT 'PAYROLLX' CHECK (source IN ('PAYROLLX', 'LEGACY'));
