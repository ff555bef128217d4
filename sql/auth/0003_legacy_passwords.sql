-- Accounts imported from the legacy auth service keep their bcrypt hash until their first
-- sign-in replaces it with Argon2id. While any remains, every sign-in spends the time of both
-- kinds of check (modules/auth/passwords.hpp); this index answers "does any remain" at once.
CREATE INDEX users_legacy_password_idx ON auth.users (id) WHERE password_hash LIKE '$2%';
