-- The audit chain is sealed after commit instead of inside every writer's transaction.
--
-- Before, a writer took its organisation's chain head just before COMMIT and held it through the
-- COMMIT's WAL flush, so every money request of one organisation waited for the previous one's
-- flush. Now a writer only inserts its entry and a row naming it in the queue of unsealed
-- entries; a sealer (src/modules/compliance/sealer.cpp) reads the queue after commit, gives the
-- entries their seq, prev_hash and hash under the head's lock, and in one transaction inserts
-- their seals, deletes their queue rows and moves the head. Commits of one organisation no longer
-- queue on each other; the seals do, batched.
--
-- audit_logs keeps what happened (written once, by the writer); audit_seals keeps the chain
-- (written once, by the sealer). Both are append-only. An entry is either sealed or queued:
-- verification checks that too, so an entry can be neither lost nor left out of the chain.

CREATE TABLE compliance.audit_seals (
  organization_id uuid NOT NULL,
  seq             bigint NOT NULL CHECK (seq >= 1),
  entry_id        uuid NOT NULL,
  prev_hash       text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash            text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (organization_id, seq),
  UNIQUE (organization_id, entry_id),
  FOREIGN KEY (organization_id, entry_id) REFERENCES compliance.audit_logs (organization_id, id)
);

INSERT INTO compliance.audit_seals (organization_id, seq, entry_id, prev_hash, hash)
SELECT organization_id, seq, id, prev_hash, hash FROM compliance.audit_logs;

ALTER TABLE compliance.audit_logs DROP COLUMN seq, DROP COLUMN prev_hash, DROP COLUMN hash;

-- The entries committed and not yet sealed, in the order they were written: `position` comes
-- from one sequence, so an entry written after another committed is queued after it, and the
-- entries of one transaction keep their order.
CREATE TABLE compliance.audit_unsealed (
  organization_id uuid NOT NULL,
  position        bigint GENERATED ALWAYS AS IDENTITY,
  entry_id        uuid NOT NULL,
  PRIMARY KEY (organization_id, position),
  UNIQUE (organization_id, entry_id),
  FOREIGN KEY (organization_id, entry_id) REFERENCES compliance.audit_logs (organization_id, id)
);
