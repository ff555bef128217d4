-- What a payroll run's rows cost beyond the ledger's guarantees, cut (issue 17; the figures are
-- in docs/bench.md, "The payroll execute against its lean model").
--
-- Every movement updates its wallets' rows, and a payroll run every employee's wallet of the
-- organisation in one transaction. On a full page the new version of a row goes to another page,
-- and each of the table's indexes gets an entry for it: 15 buffers per wallet in EXPLAIN
-- (ANALYZE, BUFFERS) of a 10,000-employee run's wallet.post, against 3 when the page has room
-- for a heap-only (HOT) update, which touches no index (no indexed column changes). Half of each
-- page is kept free: room for a second version of every row of the page within one transaction
-- (the old versions are pruned after it). It applies to the pages written from now on; a table
-- rewrite (VACUUM FULL) applies it to the older ones.
ALTER TABLE wallet.wallets SET (fillfactor = 50);

-- An entry's currency is its wallet's: the foreign key to the wallet now says so, through this
-- key. The foreign key of the entry's currency to core.currencies said less (only that the code
-- exists, which the wallet's own foreign key already says) and cost a check per entry: 20,000
-- for a run of 10,000 employees.
CREATE UNIQUE INDEX wallets_currency_key ON wallet.wallets (organization_id, id, currency);
ALTER TABLE wallet.entries
  DROP CONSTRAINT entries_currency_fkey,
  DROP CONSTRAINT entries_wallet_fkey,
  ADD CONSTRAINT entries_wallet_fkey FOREIGN KEY (organization_id, wallet_id, currency)
    REFERENCES wallet.wallets (organization_id, id, currency);
