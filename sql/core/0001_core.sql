-- The server's own schema: reference data every module shares. (core.schema_migrations is
-- created by the migration runner itself, before any file runs.)
CREATE SCHEMA IF NOT EXISTS core;

-- Currencies and their scale (digits of the minor unit): money is an integer count of minor
-- units, and the scale is data, never code.
CREATE TABLE core.currencies (
  code  text PRIMARY KEY CHECK (code ~ '^[A-Z]{3,5}$'),
  scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 18),
  name  text NOT NULL
);

INSERT INTO core.currencies (code, scale, name) VALUES
  ('USD', 2, 'US Dollar'),
  ('EUR', 2, 'Euro'),
  ('GBP', 2, 'Pound Sterling'),
  ('CAD', 2, 'Canadian Dollar'),
  ('AUD', 2, 'Australian Dollar'),
  ('CHF', 2, 'Swiss Franc'),
  ('JPY', 0, 'Yen'),
  ('INR', 2, 'Indian Rupee'),
  ('NGN', 2, 'Naira'),
  ('USDC', 6, 'USD Coin'),
  ('USDT', 6, 'Tether USD'),
  ('SOL', 9, 'Solana');
