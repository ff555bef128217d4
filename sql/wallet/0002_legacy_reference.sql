-- An employee wallet imported from the legacy wallet service keeps the legacy MPC public key
-- (base64) as a reference for support: never a payout address, it is not a Solana address.
ALTER TABLE wallet.wallets ADD COLUMN legacy_reference text
  CHECK (legacy_reference IS NULL OR owner_type = 'EMPLOYEE');
