-- The business audit log: append-only, one hash chain per organisation.
CREATE SCHEMA IF NOT EXISTS compliance;

CREATE TABLE compliance.audit_logs (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  seq             bigint NOT NULL CHECK (seq >= 1),  -- position in the organisation's chain
  actor_id        uuid,                              -- null: the system
  action          text NOT NULL,
  entity_type     text NOT NULL,
  entity_id       uuid,
  -- json, not jsonb: jsonb rewrites its input, and the chain hashes the exact text stored.
  before          json,
  after           json,
  request_id      text,
  created_at      timestamptz NOT NULL,
  prev_hash       text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash            text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  imported        boolean NOT NULL DEFAULT false,    -- copied from the legacy databases
  UNIQUE (organization_id, seq)
);

CREATE INDEX audit_logs_entity_idx ON compliance.audit_logs (organization_id, entity_id);
CREATE INDEX audit_logs_actor_idx ON compliance.audit_logs (organization_id, actor_id);
CREATE INDEX audit_logs_created_idx ON compliance.audit_logs (organization_id, created_at);

-- The last link of each chain. Appending locks this row only from just before COMMIT to COMMIT.
CREATE TABLE compliance.audit_chain_heads (
  organization_id uuid PRIMARY KEY REFERENCES organization.organizations (id),
  seq             bigint NOT NULL CHECK (seq >= 0),
  hash            text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
