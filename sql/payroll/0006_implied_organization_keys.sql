-- Implied organisation keys (the reason: wallet/0006_implied_organization_keys.sql): an item
-- names its run by (organization_id, run_id). Runs keep theirs: an off-cycle run has no
-- schedule, and no treasury before its approval.
ALTER TABLE payroll.payroll_items DROP CONSTRAINT payroll_items_organization_id_fkey;
