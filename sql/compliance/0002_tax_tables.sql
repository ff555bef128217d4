-- Tax tables: annual progressive withholding brackets of an organisation for one currency, in
-- effect from a date. A table is never updated or deleted: a newer one (a later effective_from)
-- supersedes it, so every run stays explained by the table it used.
CREATE TABLE compliance.tax_tables (
  id                 uuid PRIMARY KEY,
  organization_id    uuid NOT NULL REFERENCES organization.organizations (id),
  name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  currency           text NOT NULL REFERENCES core.currencies (code),
  effective_from     date NOT NULL,
  -- Minor units of `currency`, subtracted from the annualised taxable pay.
  standard_deduction bigint NOT NULL DEFAULT 0 CHECK (standard_deduction >= 0),
  created_by         uuid REFERENCES auth.users (id),  -- null: created by the system
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- The payroll's lookup (TaxTables::effective) and the list's effectiveOn filter: the latest
-- effective_from on or before a day, per organisation and currency.
CREATE INDEX tax_tables_effective_idx
  ON compliance.tax_tables (organization_id, currency, effective_from DESC, created_at DESC);
CREATE INDEX tax_tables_list_idx
  ON compliance.tax_tables (organization_id, created_at DESC, id DESC);

-- One row per bracket rather than a jsonb array on the table: the database itself then holds
-- every rate to 0..10000 basis points and every bound to > 0, the bracket count to 50 and the
-- positions to one each, which a jsonb document would leave to the application alone; and an
-- amount stays a bigint, never a JSON number some tool may read as a double. A table's brackets
-- are read in one subquery, so rows cost no extra round trip. The ordering rules across rows
-- (ascending up_to, only the last one open) are the API's validation, kept by the absence of any
-- update path.
CREATE TABLE compliance.tax_brackets (
  table_id          uuid NOT NULL REFERENCES compliance.tax_tables (id),
  position          smallint NOT NULL CHECK (position BETWEEN 0 AND 49),
  up_to             bigint CHECK (up_to > 0),  -- minor units of annual taxable; null: the last
  rate_basis_points integer NOT NULL CHECK (rate_basis_points BETWEEN 0 AND 10000),
  PRIMARY KEY (table_id, position)
);
