-- Organisation-first keys: the rule and its reason are in
-- compliance/0005_organization_first_keys.sql.
--
-- Dropping employees_pkey drops the foreign keys of the components, the documents and the
-- payroll items; payroll's migration 0005 puts the items' back.
ALTER TABLE employee.employees DROP CONSTRAINT employees_pkey CASCADE;
ALTER TABLE employee.employees
  ADD CONSTRAINT employees_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT employees_wallet_fkey FOREIGN KEY (organization_id, wallet_id)
    REFERENCES wallet.wallets (organization_id, id);
DROP INDEX employee.employees_user_key;
CREATE UNIQUE INDEX employees_user_key ON employee.employees (organization_id, user_id)
  WHERE user_id IS NOT NULL;

ALTER TABLE employee.components
  DROP CONSTRAINT components_pkey,
  DROP CONSTRAINT components_employee_id_ordinal_key,
  ADD CONSTRAINT components_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT components_employee_ordinal_key UNIQUE (organization_id, employee_id, ordinal),
  ADD CONSTRAINT components_employee_fkey FOREIGN KEY (organization_id, employee_id)
    REFERENCES employee.employees (organization_id, id);
-- The unique key above starts with the same columns.
DROP INDEX employee.components_org_employee_idx;

ALTER TABLE employee.documents
  DROP CONSTRAINT documents_pkey,
  ADD CONSTRAINT documents_pkey PRIMARY KEY (organization_id, id),
  ADD CONSTRAINT documents_employee_fkey FOREIGN KEY (organization_id, employee_id)
    REFERENCES employee.employees (organization_id, id);
