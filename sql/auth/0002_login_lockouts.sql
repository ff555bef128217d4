-- Lockouts per account and client (API.md, Conventions; README "Login protection"). A lock on the
-- account itself let anyone lock a victim out indefinitely with a few wrong passwords from one
-- address; now failures from one client lock that client out of that account only. Distributed
-- guessing is bounded by the per-account rate limit.
CREATE TABLE auth.login_lockouts (
  user_id      uuid NOT NULL REFERENCES auth.users (id),
  client_key   text NOT NULL CHECK (length(client_key) BETWEEN 1 AND 64),  -- IPv4, or IPv6 /64
  failed_count integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_key)
);

ALTER TABLE auth.users DROP COLUMN failed_login_count, DROP COLUMN locked_until;
