-- Transactions: the business record of every money movement, and their status history. The
-- money itself moves in wallet.entries, which point here.
CREATE SCHEMA IF NOT EXISTS transaction;

CREATE TABLE transaction.transactions (
  id                  uuid PRIMARY KEY,
  organization_id     uuid NOT NULL REFERENCES organization.organizations (id),
  type                text NOT NULL CHECK (type IN ('DEPOSIT', 'WITHDRAWAL', 'PAYROLL', 'BONUS',
                                                    'ADJUSTMENT', 'TRANSFER', 'REVERSAL')),
  status              text NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'FAILED',
                                                      'CANCELLED')),
  amount              bigint NOT NULL CHECK (amount > 0),  -- minor units of currency
  currency            text NOT NULL REFERENCES core.currencies (code),
  from_wallet_id      uuid NOT NULL REFERENCES wallet.wallets (id),
  to_wallet_id        uuid NOT NULL REFERENCES wallet.wallets (id),
  payroll_run_id      uuid,  -- PAYROLL and its reversals
  reference           text CHECK (char_length(reference) <= 255),
  notes               text CHECK (char_length(notes) <= 1000),
  destination_address text,  -- WITHDRAWAL: the external address
  external_reference  text CHECK (char_length(external_reference) <= 255),
  failure_reason      text CHECK (char_length(failure_reason) <= 1000),
  -- A reversal points at what it reverses and is pointed back at; one reversal per transaction.
  reversal_of         uuid UNIQUE REFERENCES transaction.transactions (id),
  reversed_by         uuid UNIQUE REFERENCES transaction.transactions (id),
  created_by          uuid,  -- the user; NULL for the system (scheduled payroll)
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz,
  CHECK (from_wallet_id <> to_wallet_id),
  CHECK ((type = 'REVERSAL') = (reversal_of IS NOT NULL))
);

CREATE INDEX transactions_list_idx
  ON transaction.transactions (organization_id, created_at DESC, id DESC);
CREATE INDEX transactions_from_wallet_idx ON transaction.transactions (from_wallet_id);
CREATE INDEX transactions_to_wallet_idx ON transaction.transactions (to_wallet_id);
CREATE INDEX transactions_payroll_run_idx ON transaction.transactions (payroll_run_id)
  WHERE payroll_run_id IS NOT NULL;

CREATE TABLE transaction.transaction_logs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  transaction_id  uuid NOT NULL REFERENCES transaction.transactions (id),
  from_status     text,  -- NULL: created
  to_status       text NOT NULL,
  reason          text,
  actor_id        uuid,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX transaction_logs_transaction_idx ON transaction.transaction_logs (transaction_id, id);

-- Every entry belongs to a transaction. Declared here: the wallet schema is migrated first.
ALTER TABLE wallet.entries ADD CONSTRAINT entries_transaction_fkey
  FOREIGN KEY (transaction_id) REFERENCES transaction.transactions (id);
