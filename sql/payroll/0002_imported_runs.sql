-- Runs imported from the legacy services: their COMPLETED ones were paid on chain, outside the
-- wallets, and have no treasury; they are history, never reversed here.
ALTER TABLE payroll.payroll_runs ADD COLUMN imported boolean NOT NULL DEFAULT false;
