-- Organisations (the tenants) and their settings.
CREATE SCHEMA IF NOT EXISTS organization;

CREATE TABLE organization.organizations (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name               text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  country            text CHECK (country ~ '^[A-Z]{2}$'),  -- ISO 3166-1 alpha-2
  tax_id             text CHECK (char_length(tax_id) <= 64),
  -- Solana base58 public keys, validated by the application (base58 is not SQL's business).
  authorized_signers text[] NOT NULL DEFAULT '{}',
  status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- Names are unique whatever their case: "Acme" and "ACME" would confuse people and invoices.
CREATE UNIQUE INDEX organizations_name_key ON organization.organizations (lower(name));
-- The platform admin's list: newest first, keyset-paginated.
CREATE INDEX organizations_created_idx ON organization.organizations (created_at DESC, id DESC);

CREATE TABLE organization.organization_settings (
  organization_id           uuid PRIMARY KEY REFERENCES organization.organizations (id)
                                ON DELETE CASCADE,
  base_currency             text NOT NULL REFERENCES core.currencies (code),
  require_distinct_approver boolean NOT NULL DEFAULT true,
  kyc_required_for_payroll  boolean NOT NULL DEFAULT true,
  max_net_per_employee      bigint CHECK (max_net_per_employee >= 0),  -- minor units
  timezone                  text NOT NULL DEFAULT 'UTC',
  updated_at                timestamptz NOT NULL DEFAULT now()
);
