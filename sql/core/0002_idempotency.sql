-- Idempotency keys of money-moving requests (API.md, Conventions): the first answer, kept for
-- 24 hours, written in the same transaction as the effects it answers for.
CREATE TABLE core.idempotency_keys (
  -- No foreign key: core is migrated before the module schemas (organisation ids are checked
  -- by the requests that store them).
  organization_id uuid NOT NULL,
  key             text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
  -- SHA-256 of method, path and body: the same key with another request is refused.
  fingerprint     text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  -- The stored answer. NULL only inside the claiming transaction, before its answer is known:
  -- a committed key always has one.
  status          integer CHECK (status BETWEEN 200 AND 499),
  content_type    text,
  body            text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  PRIMARY KEY (organization_id, key)
);

CREATE INDEX idempotency_keys_expires_idx ON core.idempotency_keys (expires_at);
