-- auth: users and their credentials, sessions (refresh-token families), invitations and the
-- security audit. Tokens are stored only as SHA-256 digests; passwords only as Argon2id hashes.
CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE auth.users (
  id                 uuid PRIMARY KEY,
  organization_id    uuid REFERENCES organization.organizations (id),  -- none for SUPER_ADMIN
  email              text NOT NULL CHECK (email = lower(email) AND length(email) <= 254),
  first_name         text NOT NULL,
  last_name          text NOT NULL,
  role               text NOT NULL CHECK (role IN ('SUPER_ADMIN', 'ORG_ADMIN', 'HR_MANAGER',
                                                   'FINANCE_MANAGER', 'EMPLOYEE')),
  password_hash      text,  -- null until an invitation is accepted
  is_active          boolean NOT NULL DEFAULT true,
  failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
  locked_until       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
-- The one arbiter of "email is already registered", also under concurrent signups.
CREATE UNIQUE INDEX users_email_key ON auth.users (lower(email));
CREATE INDEX users_organization_created_idx
  ON auth.users (organization_id, created_at DESC, id DESC);

-- One row per refresh token; a family is the chain of rotations of one sign-in.
CREATE TABLE auth.refresh_tokens (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES auth.users (id),
  family_id   uuid NOT NULL,
  token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  -- Set by the claim itself, before the successor row exists: checked at commit.
  replaced_by uuid REFERENCES auth.refresh_tokens (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX refresh_tokens_family_idx ON auth.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_live_idx ON auth.refresh_tokens (user_id)
  WHERE revoked_at IS NULL;

CREATE TABLE auth.invitations (
  id              uuid PRIMARY KEY,
  user_id         uuid NOT NULL REFERENCES auth.users (id),
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  token_hash      bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  expires_at      timestamptz NOT NULL,
  accepted_at     timestamptz,
  created_by      uuid REFERENCES auth.users (id),  -- null when the system invited
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_user_idx ON auth.invitations (user_id);

-- The security audit: sign-ins, failures, lockouts, token reuse, password changes. Never
-- passwords, tokens or attempted email addresses.
CREATE TABLE auth.audit_logs (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid REFERENCES organization.organizations (id),
  user_id         uuid REFERENCES auth.users (id),
  event           text NOT NULL,
  client_address  text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_user_idx ON auth.audit_logs (user_id, created_at DESC);
CREATE INDEX audit_logs_organization_idx ON auth.audit_logs (organization_id, created_at DESC);
