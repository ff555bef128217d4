-- Payroll: pay schedules, runs and their items (one per employee per run).
CREATE SCHEMA IF NOT EXISTS payroll;

CREATE TABLE payroll.pay_schedules (
  id                   uuid PRIMARY KEY,
  organization_id      uuid NOT NULL REFERENCES organization.organizations (id),
  name                 text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  frequency            text NOT NULL CHECK (frequency IN ('WEEKLY', 'BIWEEKLY', 'SEMIMONTHLY',
                                                          'MONTHLY')),
  first_period_start   date NOT NULL,
  pay_date_offset_days integer NOT NULL CHECK (pay_date_offset_days BETWEEN 0 AND 365),
  currency             text NOT NULL REFERENCES core.currencies (code),
  auto_execute         boolean NOT NULL DEFAULT false,
  status               text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED')),
  -- The next period the scheduler drafts a run for (advanced as runs are drafted).
  next_period_start    date NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX pay_schedules_name_key ON payroll.pay_schedules (organization_id, lower(name));
CREATE INDEX pay_schedules_list_idx
  ON payroll.pay_schedules (organization_id, created_at DESC, id DESC);

CREATE TABLE payroll.payroll_runs (
  id                  uuid PRIMARY KEY,
  organization_id     uuid NOT NULL REFERENCES organization.organizations (id),
  type                text NOT NULL CHECK (type IN ('REGULAR', 'OFF_CYCLE')),
  status              text NOT NULL DEFAULT 'DRAFT'
                        CHECK (status IN ('DRAFT', 'APPROVED', 'PROCESSING', 'COMPLETED', 'FAILED',
                                          'CANCELLED', 'REVERSED')),
  schedule_id         uuid REFERENCES payroll.pay_schedules (id),
  period_start        date NOT NULL,
  period_end          date NOT NULL CHECK (period_end >= period_start),
  pay_date            date NOT NULL,
  currency            text NOT NULL REFERENCES core.currencies (code),
  -- The schedule's frequency. NULL: an OFF_CYCLE run without a schedule, whose employees are each
  -- calculated with their own pay frequency (amended before the first release: the draft had
  -- NOT NULL, which left such a run nothing true to store).
  frequency           text CHECK (frequency IN ('WEEKLY', 'BIWEEKLY', 'SEMIMONTHLY', 'MONTHLY')),
  -- What the run was asked to pay (OFF_CYCLE employeeIds / items), kept for recalculate.
  request             jsonb NOT NULL DEFAULT '{}',
  total_gross         bigint NOT NULL DEFAULT 0,
  total_pre_tax       bigint NOT NULL DEFAULT 0,
  total_tax           bigint NOT NULL DEFAULT 0,
  total_post_tax      bigint NOT NULL DEFAULT 0,
  total_net           bigint NOT NULL DEFAULT 0,
  employee_count      integer NOT NULL DEFAULT 0,
  skipped             jsonb NOT NULL DEFAULT '[]',  -- [{employeeId, reason}]
  treasury_wallet_id  uuid REFERENCES wallet.wallets (id),  -- set at approval: it holds the net
  created_by          uuid,  -- NULL: the scheduler
  approved_by         uuid,
  approved_at         timestamptz,
  executed_by         uuid,
  executed_at         timestamptz,
  reversed_by         uuid,
  reversed_at         timestamptz,
  cancelled_at        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  -- A REGULAR run pays a schedule's period; an OFF_CYCLE run may name a schedule for its period
  -- and frequency (amended before the first release: the draft forbade that).
  CHECK (type = 'OFF_CYCLE' OR schedule_id IS NOT NULL),
  CHECK ((schedule_id IS NULL) = (frequency IS NULL))
);

-- One REGULAR run per schedule and period (a cancelled one may be drafted again).
CREATE UNIQUE INDEX payroll_runs_period_key ON payroll.payroll_runs (schedule_id, period_start)
  WHERE type = 'REGULAR' AND status <> 'CANCELLED';
CREATE INDEX payroll_runs_list_idx
  ON payroll.payroll_runs (organization_id, created_at DESC, id DESC);
CREATE INDEX payroll_runs_due_idx ON payroll.payroll_runs (status, pay_date)
  WHERE status = 'APPROVED';

CREATE TABLE payroll.payroll_items (
  id                      uuid PRIMARY KEY,
  organization_id         uuid NOT NULL REFERENCES organization.organizations (id),
  run_id                  uuid NOT NULL REFERENCES payroll.payroll_runs (id),
  employee_id             uuid NOT NULL REFERENCES employee.employees (id),
  wallet_id               uuid NOT NULL REFERENCES wallet.wallets (id),  -- paid into
  -- The item's place in the run (employees by name), the order of its list and payslip register
  -- (amended before the first release: items had no stable order to page by).
  position                integer NOT NULL CHECK (position >= 0),
  base_pay                bigint NOT NULL,
  earnings                bigint NOT NULL,
  gross                   bigint NOT NULL,
  pre_tax_deductions      bigint NOT NULL,
  taxable                 bigint NOT NULL,
  tax                     bigint NOT NULL,
  post_tax_deductions     bigint NOT NULL,
  net                     bigint NOT NULL,
  lines                   jsonb NOT NULL DEFAULT '[]',  -- [{kind, name, amount}]
  status                  text NOT NULL DEFAULT 'PENDING'
                            CHECK (status IN ('PENDING', 'PAID', 'REVERSED', 'CANCELLED')),
  transaction_id          uuid REFERENCES transaction.transactions (id),
  reversal_transaction_id uuid REFERENCES transaction.transactions (id),
  UNIQUE (run_id, employee_id),
  UNIQUE (run_id, position)
);

CREATE INDEX payroll_items_employee_idx ON payroll.payroll_items (organization_id, employee_id);
