-- Calculating a run writes all its items in one statement, and executing it marks them all
-- paid in another. Three foreign keys a row at the insert (run, employee, wallet) and one at the
-- update (the transaction) were a row trigger each: 300,000 lookups with a row lock to
-- calculate a run of 100,000 employees, half of the statement. One check per statement over the
-- rows it wrote (a transition table) keeps the same rules, and a stronger one (the wallet is the
-- employee's own), planned for the statement's size (core/0008 says what keeps the parents).
ALTER TABLE payroll.payroll_items
  DROP CONSTRAINT payroll_items_run_fkey,
  DROP CONSTRAINT payroll_items_employee_fkey,
  DROP CONSTRAINT payroll_items_wallet_fkey,
  DROP CONSTRAINT payroll_items_transaction_fkey,
  DROP CONSTRAINT payroll_items_reversal_transaction_fkey;

CREATE FUNCTION payroll.check_item_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- What an update may set: the transactions that paid or reversed the item.
  transactions constant text := $check$
    SELECT 'transaction' AS reference, n.transaction_id AS id FROM new_items n
    WHERE n.transaction_id IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id AND t.id = n.transaction_id)
    UNION ALL
    SELECT 'reversal transaction', n.reversal_transaction_id FROM new_items n
    WHERE n.reversal_transaction_id IS NOT NULL
      AND NOT EXISTS (SELECT FROM transaction.transactions t
                      WHERE t.organization_id = n.organization_id
                        AND t.id = n.reversal_transaction_id)
  $check$;
  parents constant text := $check$
    SELECT 'run' AS reference, n.run_id AS id FROM new_items n
    WHERE NOT EXISTS (SELECT FROM payroll.payroll_runs r
                      WHERE r.organization_id = n.organization_id AND r.id = n.run_id)
    UNION ALL
    SELECT 'employee', n.employee_id FROM new_items n
    WHERE NOT EXISTS (SELECT FROM employee.employees e
                      WHERE e.organization_id = n.organization_id AND e.id = n.employee_id)
    UNION ALL
    SELECT 'wallet of the employee', n.wallet_id FROM new_items n
    WHERE NOT EXISTS (SELECT FROM wallet.wallets w
                      WHERE w.organization_id = n.organization_id AND w.id = n.wallet_id
                        AND w.owner_type = 'EMPLOYEE' AND w.owner_id = n.employee_id)
    UNION ALL
  $check$;
  missing record;
BEGIN
  -- Items are written and marked a run at a time: EXECUTE plans the check for this statement's
  -- rows (a hash join for a run; a plan kept from a run's statement would hash every wallet of
  -- the database for a run of one employee).
  EXECUTE CASE WHEN TG_OP = 'INSERT' THEN parents ELSE '' END || transactions || ' LIMIT 1'
    INTO missing;
  IF missing.reference IS NOT NULL THEN
    RAISE EXCEPTION 'a payroll item names a % that its organisation does not have: %',
      missing.reference, missing.id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER payroll_items_references AFTER INSERT ON payroll.payroll_items
  REFERENCING NEW TABLE AS new_items
  FOR EACH STATEMENT EXECUTE FUNCTION payroll.check_item_references();
CREATE TRIGGER payroll_items_transactions AFTER UPDATE ON payroll.payroll_items
  REFERENCING NEW TABLE AS new_items
  FOR EACH STATEMENT EXECUTE FUNCTION payroll.check_item_references();
CREATE TRIGGER payroll_items_references_kept
  BEFORE UPDATE OF organization_id, run_id, employee_id, wallet_id ON payroll.payroll_items
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id OR OLD.run_id <> NEW.run_id
                     OR OLD.employee_id <> NEW.employee_id OR OLD.wallet_id <> NEW.wallet_id)
  EXECUTE FUNCTION core.refuse_change('an item pays one employee of one run, to one wallet');

CREATE TRIGGER payroll_runs_kept BEFORE DELETE OR TRUNCATE ON payroll.payroll_runs
  FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change('payroll items name their run');
CREATE TRIGGER payroll_runs_key_kept BEFORE UPDATE OF organization_id, id ON payroll.payroll_runs
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id OR OLD.id <> NEW.id)
  EXECUTE FUNCTION core.refuse_change('payroll items name their run');

-- The lines are written and read whole, never queried inside: stored as the text they are
-- (json) instead of parsed into jsonb on every insert (a tenth of the insert).
ALTER TABLE payroll.payroll_items
  ALTER lines DROP DEFAULT,
  ALTER lines TYPE json USING lines::json,
  ALTER lines SET DEFAULT '[]'::json;
