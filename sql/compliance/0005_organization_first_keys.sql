-- Organisation-first keys: every primary and unique key of a tenant table starts with
-- organization_id, so that rows of one organisation can be placed together (Citus distributes
-- by it; see docs/deployment.md) and every lookup names the organisation it belongs to. Child
-- tables that had no organization_id get it, filled from their parent, and refer to the parent
-- by (organization_id, id): a row can never point into another organisation.
--
-- The indexes are rebuilt under an exclusive lock: plan the upgrade of a large database as a
-- short outage.

ALTER TABLE compliance.audit_logs DROP CONSTRAINT audit_logs_pkey;
ALTER TABLE compliance.audit_logs ADD CONSTRAINT audit_logs_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE compliance.tax_brackets ADD COLUMN organization_id uuid;
UPDATE compliance.tax_brackets b SET organization_id = t.organization_id
FROM compliance.tax_tables t WHERE t.id = b.table_id;
ALTER TABLE compliance.tax_brackets ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE compliance.tax_brackets DROP CONSTRAINT tax_brackets_table_id_fkey;
ALTER TABLE compliance.tax_brackets DROP CONSTRAINT tax_brackets_pkey;
ALTER TABLE compliance.tax_brackets
  ADD CONSTRAINT tax_brackets_pkey PRIMARY KEY (organization_id, table_id, position);
ALTER TABLE compliance.tax_tables DROP CONSTRAINT tax_tables_pkey;
ALTER TABLE compliance.tax_tables ADD CONSTRAINT tax_tables_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE compliance.tax_brackets ADD CONSTRAINT tax_brackets_table_fkey
  FOREIGN KEY (organization_id, table_id) REFERENCES compliance.tax_tables (organization_id, id);

ALTER TABLE compliance.report_chunks ADD COLUMN organization_id uuid;
UPDATE compliance.report_chunks c SET organization_id = r.organization_id
FROM compliance.reports r WHERE r.id = c.report_id;
ALTER TABLE compliance.report_chunks ALTER COLUMN organization_id SET NOT NULL;
ALTER TABLE compliance.report_chunks DROP CONSTRAINT report_chunks_report_id_fkey;
ALTER TABLE compliance.report_chunks DROP CONSTRAINT report_chunks_pkey;
ALTER TABLE compliance.report_chunks
  ADD CONSTRAINT report_chunks_pkey PRIMARY KEY (organization_id, report_id, position);
ALTER TABLE compliance.reports DROP CONSTRAINT reports_pkey;
ALTER TABLE compliance.reports ADD CONSTRAINT reports_pkey PRIMARY KEY (organization_id, id);
ALTER TABLE compliance.report_chunks ADD CONSTRAINT report_chunks_report_fkey
  FOREIGN KEY (organization_id, report_id) REFERENCES compliance.reports (organization_id, id)
  ON DELETE CASCADE;
