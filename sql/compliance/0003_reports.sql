-- Reports: made in the background by one instance (the one whose lease is current) and stored
-- here, the file in chunks so that neither making nor downloading one holds it whole in memory.
-- Rows imported from the legacy services are metadata only: kind LEGACY, no chunks (their
-- files were on a legacy server's disk), the legacy row's name, status, file path and filters
-- kept in `legacy`.
CREATE TABLE compliance.reports (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  kind            text NOT NULL CHECK (kind IN ('PAYROLL_REGISTER', 'TAX_SUMMARY',
                                                'LEDGER_RECONCILIATION', 'AUDIT_EXPORT', 'LEGACY')),
  format          text NOT NULL CHECK (format IN ('CSV', 'JSON', 'PDF', 'EXCEL')),
  period_start    date NOT NULL,
  period_end      date NOT NULL CHECK (period_end >= period_start),
  status          text NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'READY', 'FAILED')),
  progress        integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  row_count       bigint CHECK (row_count >= 0),
  size            bigint CHECK (size >= 0),
  sha256          text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  error           text,
  lease_until     timestamptz,  -- RUNNING: the maker's lease; a lapsed one is claimed again
  attempts        integer NOT NULL DEFAULT 0,
  created_by      uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  legacy          jsonb,
  CHECK ((kind = 'LEGACY') = (legacy IS NOT NULL)),
  CHECK (kind = 'LEGACY' OR format IN ('CSV', 'JSON'))
);

CREATE INDEX reports_list_idx ON compliance.reports (organization_id, created_at DESC, id DESC);
CREATE INDEX reports_due_idx ON compliance.reports (created_at) WHERE status IN ('PENDING', 'RUNNING');

-- A report's file, in order.
CREATE TABLE compliance.report_chunks (
  report_id       uuid NOT NULL REFERENCES compliance.reports (id) ON DELETE CASCADE,
  position        integer NOT NULL CHECK (position >= 0),
  data            bytea NOT NULL,
  PRIMARY KEY (report_id, position)
);
