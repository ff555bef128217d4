-- On-chain settlement of withdrawals (the Solana adapter). A row is written with its withdrawal,
-- in the same transaction, when the adapter settles that currency; the settlement job of any
-- instance then claims it under a lease and moves it along:
--   QUEUED     nothing built yet
--   SUBMITTED  a signed transaction is stored (signed_transaction, signature) and may land: it
--              is re-sent as is until the chain has passed its last_valid_block_height
--   EXPIRED    the chain passed that height and does not know the signature: it can never land,
--              and only now may a new transaction be built
--   CONFIRMED, FINALIZED  landed at that commitment; the withdrawal is COMPLETED
--   FAILED     retryable: the job gave up on an outage (the stored transaction, if any, may
--              still land and is checked again when retried); not retryable: the chain said the
--              transaction failed, and the withdrawal is FAILED with its money released
-- The signed bytes are stored, and committed, before they are first sent: whatever crashes, the
-- next owner of the row finds what may be in flight.
-- Keys start with the organisation (every query names it), ready for distribution by it.
CREATE TABLE transaction.settlements (
  organization_id         uuid NOT NULL REFERENCES organization.organizations (id),
  transaction_id          uuid NOT NULL REFERENCES transaction.transactions (id),
  adapter                 text NOT NULL CHECK (adapter IN ('solana')),
  status                  text NOT NULL CHECK (status IN ('QUEUED', 'SUBMITTED', 'EXPIRED',
                                                          'CONFIRMED', 'FINALIZED', 'FAILED')),
  retryable               boolean NOT NULL DEFAULT false,
  attempts                integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),  -- transactions built
  signature               text,  -- the latest transaction's (base58)
  signed_transaction      bytea,  -- its wire bytes while it may still land
  last_valid_block_height bigint,
  blockhash_slot          bigint,  -- the slot its blockhash was read at: a node must hold it
  rpc_failures            integer NOT NULL DEFAULT 0 CHECK (rpc_failures >= 0),  -- in a row
  last_error              text CHECK (char_length(last_error) <= 1000),
  next_attempt_at         timestamptz NOT NULL DEFAULT now(),
  claim                   uuid,  -- the owner of the current lease
  lease_until             timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  CHECK ((signed_transaction IS NULL) OR (signature IS NOT NULL AND
                                          last_valid_block_height IS NOT NULL AND
                                          blockhash_slot IS NOT NULL)),
  CHECK (status <> 'SUBMITTED' OR signed_transaction IS NOT NULL),
  CHECK (status NOT IN ('QUEUED', 'EXPIRED', 'CONFIRMED', 'FINALIZED')
         OR signed_transaction IS NULL),
  CHECK (status NOT IN ('SUBMITTED', 'CONFIRMED', 'FINALIZED') OR signature IS NOT NULL),
  CHECK (status <> 'FAILED' OR retryable OR signed_transaction IS NULL),
  CHECK (retryable = false OR status = 'FAILED'),
  PRIMARY KEY (organization_id, transaction_id)
);

CREATE INDEX settlements_due_idx ON transaction.settlements (next_attempt_at)
  WHERE status IN ('QUEUED', 'SUBMITTED', 'EXPIRED');

-- Every transaction ever signed for a withdrawal, append-only: which signatures to look for on
-- chain, forever, whatever the settlement row says now.
-- The signature is unique across organisations too: one payment can never complete two
-- withdrawals.
CREATE TABLE transaction.settlement_attempts (
  organization_id         uuid NOT NULL,
  transaction_id          uuid NOT NULL,
  attempt                 integer NOT NULL CHECK (attempt > 0),
  signature               text NOT NULL UNIQUE,
  signed_transaction      bytea NOT NULL,
  last_valid_block_height bigint NOT NULL,
  blockhash_slot          bigint NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, transaction_id, attempt),
  FOREIGN KEY (organization_id, transaction_id)
    REFERENCES transaction.settlements (organization_id, transaction_id)
);
