-- Executing a run marks every item PAID with its transaction in one statement. On a full page
-- the new version of an item goes to another page and each of the four indexes of the table gets
-- an entry for it (17 buffers per item in EXPLAIN (ANALYZE, BUFFERS) of a 10,000-employee run);
-- with room on the page the update is heap-only (HOT: status and transaction_id are in no
-- index). Half of each page is kept free: room for the PAID version of every item of the page
-- within the execute's transaction (a later reversal finds the old versions pruned). It applies
-- to the pages written from now on: a run's items are written when it is calculated.
ALTER TABLE payroll.payroll_items SET (fillfactor = 50);
