-- The refusal behind the rows that other rows name without a foreign key. The rows a payroll run
-- writes by the hundred thousand (its items, its transactions and their entries) are checked
-- against what they name once per statement (payroll/0008, transaction/0008, wallet/0008)
-- instead of by foreign keys, each of which was a row trigger and a locking lookup per row: a
-- million of them in a run of 100,000 employees, about half of its time. A foreign key also
-- stops its parent from being deleted or re-keyed. These parents never are (an employee is
-- terminated, a wallet frozen, a run cancelled or reversed, a transaction reversed), and this
-- function, fired before such a statement, makes the database refuse it as the key did.
-- Its argument says what the refused statement would have broken.
CREATE FUNCTION core.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% of %.% is refused: %', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]
    USING ERRCODE = 'restrict_violation';
END
$$;

-- Up to how many rows a statement's check looks up what each row names, key by key, with a plan
-- kept for the session (a transfer's rows); above it the check is planned for the statement
-- (a run's rows: hash joins). Planning costs about 70 µs, a lookup about 4.
CREATE FUNCTION core.probed_at_most() RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT 32';
