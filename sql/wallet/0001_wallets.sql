-- Wallets, their entries and holds. Amounts are bigint minor units of the wallet's currency.
CREATE SCHEMA IF NOT EXISTS wallet;

CREATE TABLE wallet.wallets (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  owner_type      text NOT NULL CHECK (owner_type IN ('ORGANIZATION', 'EMPLOYEE', 'EXTERNAL')),
  -- The organisation (ORGANIZATION, EXTERNAL) or the employee (EMPLOYEE; no foreign key: the
  -- employee schema is migrated after this one and refers to its wallet instead).
  owner_id        uuid NOT NULL,
  currency        text NOT NULL REFERENCES core.currencies (code),
  balance         bigint NOT NULL DEFAULT 0,
  held            bigint NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'FROZEN')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- Only the clearing wallet, the outside world's side of deposits and withdrawals, goes below
  -- zero; everyone else's money exists. The database refuses anything else, whatever the code.
  CONSTRAINT wallets_balance_check CHECK (owner_type = 'EXTERNAL' OR balance >= 0),
  CONSTRAINT wallets_held_check CHECK (held >= 0 AND (owner_type = 'EXTERNAL' OR held <= balance)),
  CONSTRAINT wallets_owner_key UNIQUE (organization_id, owner_type, owner_id, currency)
);

CREATE INDEX wallets_list_idx ON wallet.wallets (organization_id, created_at DESC, id DESC);

-- One row per debit or credit. `seq` orders a wallet's statement exactly (timestamps tie inside
-- one transaction) and makes balance_after checkable: it is the balance after this entry.
CREATE TABLE wallet.entries (
  id              uuid PRIMARY KEY,
  seq             bigint GENERATED ALWAYS AS IDENTITY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  wallet_id       uuid NOT NULL REFERENCES wallet.wallets (id),
  transaction_id  uuid NOT NULL,  -- references transaction.transactions (added by that schema)
  direction       text NOT NULL CHECK (direction IN ('DEBIT', 'CREDIT')),
  amount          bigint NOT NULL CHECK (amount > 0),
  balance_after   bigint NOT NULL,
  currency        text NOT NULL REFERENCES core.currencies (code),
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX entries_seq_key ON wallet.entries (seq);
CREATE INDEX entries_statement_idx ON wallet.entries (wallet_id, seq DESC);
CREATE INDEX entries_transaction_idx ON wallet.entries (transaction_id);

-- Money reserved for a pending withdrawal or an approved payroll run: counted in wallets.held
-- while ACTIVE. `reference` is the transaction or run the hold is for (one active hold each).
CREATE TABLE wallet.holds (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  wallet_id       uuid NOT NULL REFERENCES wallet.wallets (id),
  reference       uuid NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  status          text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'RELEASED')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz
);

CREATE UNIQUE INDEX holds_active_reference_key ON wallet.holds (organization_id, reference)
  WHERE status = 'ACTIVE';
CREATE INDEX holds_wallet_idx ON wallet.holds (wallet_id) WHERE status = 'ACTIVE';
