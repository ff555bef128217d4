-- The lean model's tables for bench/transfers_lean.sql (the performance issue's yardstick): the
-- same as bench/payroll_lean.sql's where they overlap, plus the idempotency keys; the
-- organisation's employee wallets copied with their balances. Variables (psql -v): org.
CREATE SCHEMA bench_lean;
CREATE TABLE bench_lean.idempotency_keys (
  organization_id uuid NOT NULL, key text NOT NULL, status integer, body text,
  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (organization_id, key));
CREATE TABLE bench_lean.wallets (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, owner_id uuid NOT NULL,
  currency text NOT NULL, balance bigint NOT NULL CHECK (balance >= 0),
  UNIQUE (owner_id, currency));
CREATE TABLE bench_lean.transactions (
  id uuid PRIMARY KEY, organization_id uuid NOT NULL, amount bigint NOT NULL,
  currency text NOT NULL, from_wallet_id uuid NOT NULL, to_wallet_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX transactions_list_idx ON bench_lean.transactions (organization_id, created_at);
CREATE TABLE bench_lean.entries (
  id bigserial PRIMARY KEY, wallet_id uuid NOT NULL, transaction_id uuid NOT NULL,
  amount bigint NOT NULL, balance_after bigint NOT NULL);
CREATE INDEX entries_wallet_idx ON bench_lean.entries (wallet_id, id);
CREATE TABLE bench_lean.audit (
  id bigserial PRIMARY KEY, organization_id uuid NOT NULL, action text NOT NULL,
  entity_id uuid NOT NULL, actor_id uuid, created_at timestamptz NOT NULL DEFAULT now());

INSERT INTO bench_lean.wallets (id, organization_id, owner_id, currency, balance)
SELECT id, organization_id, owner_id, currency, balance FROM wallet.wallets
WHERE organization_id = :'org' AND owner_type = 'EMPLOYEE';
VACUUM (ANALYZE) bench_lean.wallets;
