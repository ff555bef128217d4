-- employee: employees, their compensation components and documents (the bytes live here, in
-- PostgreSQL), KYC state and external wallet address. Every row carries its organisation, and
-- every query filters on it.
CREATE SCHEMA IF NOT EXISTS employee;

CREATE TABLE employee.employees (
  id                   uuid PRIMARY KEY,
  organization_id      uuid NOT NULL REFERENCES organization.organizations (id),
  user_id              uuid REFERENCES auth.users (id),  -- the employee's portal user, if any
  wallet_id            uuid NOT NULL REFERENCES wallet.wallets (id),  -- in the salary currency
  first_name           text NOT NULL,
  last_name            text NOT NULL,
  email                text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
  employee_number      text,
  department           text,
  position             text,
  hire_date            date NOT NULL,
  termination_date     date,
  status               text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'TERMINATED')),
  salary_amount        bigint NOT NULL CHECK (salary_amount > 0),  -- minor units
  salary_currency      text NOT NULL REFERENCES core.currencies (code),
  salary_period        text NOT NULL CHECK (salary_period IN ('ANNUAL', 'MONTHLY', 'HOURLY')),
  pay_frequency        text NOT NULL DEFAULT 'MONTHLY'
                       CHECK (pay_frequency IN ('WEEKLY', 'BIWEEKLY', 'SEMIMONTHLY', 'MONTHLY')),
  kyc_status           text NOT NULL DEFAULT 'PENDING'
                       CHECK (kyc_status IN ('PENDING', 'APPROVED', 'REJECTED')),
  kyc_rejection_reason text,
  kyc_reviewed_at      timestamptz,
  kyc_reviewed_by      uuid REFERENCES auth.users (id),
  wallet_address       text,  -- Solana base58 public key for withdrawals
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'TERMINATED') = (termination_date IS NOT NULL)),
  CHECK (termination_date IS NULL OR termination_date >= hire_date),
  CHECK ((kyc_status = 'REJECTED') = (kyc_rejection_reason IS NOT NULL))
);
-- The arbiters of "already an employee" within an organisation, also under concurrent requests.
CREATE UNIQUE INDEX employees_org_email_key ON employee.employees (organization_id, email);
CREATE UNIQUE INDEX employees_org_number_key ON employee.employees (organization_id, employee_number)
  WHERE employee_number IS NOT NULL;
CREATE UNIQUE INDEX employees_user_key ON employee.employees (user_id) WHERE user_id IS NOT NULL;
-- The list's keyset order.
CREATE INDEX employees_org_created_idx
  ON employee.employees (organization_id, created_at DESC, id DESC);

-- Earnings and deductions of one employee; PUT replaces the whole list, so `ordinal` keeps the
-- client's order. FIXED amounts are minor units of the employee's salary currency.
CREATE TABLE employee.components (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id   uuid NOT NULL REFERENCES organization.organizations (id),
  employee_id       uuid NOT NULL REFERENCES employee.employees (id),
  ordinal           integer NOT NULL CHECK (ordinal >= 0),
  kind              text NOT NULL CHECK (kind IN ('EARNING', 'DEDUCTION')),
  name              text NOT NULL,
  calc              text NOT NULL CHECK (calc IN ('FIXED', 'PERCENT')),
  amount            bigint CHECK (amount > 0),
  rate_basis_points integer CHECK (rate_basis_points BETWEEN 1 AND 10000),
  pre_tax           boolean NOT NULL,
  effective_from    date NOT NULL,
  effective_to      date,
  CHECK ((calc = 'FIXED') = (amount IS NOT NULL)),
  CHECK ((calc = 'PERCENT') = (rate_basis_points IS NOT NULL)),
  CHECK (kind = 'DEDUCTION' OR NOT pre_tax),
  CHECK (effective_to IS NULL OR effective_to >= effective_from),
  UNIQUE (employee_id, ordinal)
);
CREATE INDEX components_org_employee_idx ON employee.components (organization_id, employee_id);

-- Uploaded documents (KYC evidence, contracts). The bytes are checked against their declared
-- type before they get here.
CREATE TABLE employee.documents (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  employee_id     uuid NOT NULL REFERENCES employee.employees (id),
  document_type   text NOT NULL,
  file_name       text NOT NULL,
  content_type    text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png',
                                                        'image/jpeg')),
  size            bigint NOT NULL CHECK (size > 0),
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content         bytea NOT NULL CHECK (octet_length(content) = size),
  uploaded_by     uuid REFERENCES auth.users (id),
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- PDFs, PNGs and JPEGs are already compressed: TOAST would spend CPU for nothing.
ALTER TABLE employee.documents ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX documents_employee_idx
  ON employee.documents (organization_id, employee_id, created_at DESC, id DESC);
