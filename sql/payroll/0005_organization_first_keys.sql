-- Organisation-first keys: the rule and its reason are in
-- compliance/0005_organization_first_keys.sql.
-- This puts back, as (organization_id, …), the foreign keys of runs and items that the wallet,
-- transaction and employee migration 0005 dropped with the keys they pointed at.
ALTER TABLE payroll.pay_schedules DROP CONSTRAINT pay_schedules_pkey CASCADE;
ALTER TABLE payroll.pay_schedules
  ADD CONSTRAINT pay_schedules_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE payroll.payroll_runs DROP CONSTRAINT payroll_runs_pkey CASCADE;
ALTER TABLE payroll.payroll_runs
  ADD CONSTRAINT payroll_runs_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT payroll_runs_schedule_fkey FOREIGN KEY (organization_id, schedule_id)
    REFERENCES payroll.pay_schedules (organization_id, id),
  ADD CONSTRAINT payroll_runs_treasury_wallet_fkey FOREIGN KEY (organization_id, treasury_wallet_id)
    REFERENCES wallet.wallets (organization_id, id);
DROP INDEX payroll.payroll_runs_period_key;
CREATE UNIQUE INDEX payroll_runs_period_key
  ON payroll.payroll_runs (organization_id, schedule_id, period_start)
  WHERE type = 'REGULAR' AND status <> 'CANCELLED';

ALTER TABLE payroll.payroll_items
  DROP CONSTRAINT payroll_items_pkey,
  DROP CONSTRAINT payroll_items_run_id_employee_id_key,
  DROP CONSTRAINT payroll_items_run_id_position_key,
  ADD CONSTRAINT payroll_items_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT payroll_items_run_employee_key UNIQUE (organization_id, run_id, employee_id),
  ADD CONSTRAINT payroll_items_run_position_key UNIQUE (organization_id, run_id, position),
  ADD CONSTRAINT payroll_items_run_fkey FOREIGN KEY (organization_id, run_id)
    REFERENCES payroll.payroll_runs (organization_id, id),
  ADD CONSTRAINT payroll_items_employee_fkey FOREIGN KEY (organization_id, employee_id)
    REFERENCES employee.employees (organization_id, id),
  ADD CONSTRAINT payroll_items_wallet_fkey FOREIGN KEY (organization_id, wallet_id)
    REFERENCES wallet.wallets (organization_id, id),
  ADD CONSTRAINT payroll_items_transaction_fkey FOREIGN KEY (organization_id, transaction_id)
    REFERENCES transaction.transactions (organization_id, id),
  ADD CONSTRAINT payroll_items_reversal_transaction_fkey
    FOREIGN KEY (organization_id, reversal_transaction_id)
    REFERENCES transaction.transactions (organization_id, id);
