-- Payroll items name their employee without a foreign key (core/0008 says why): an employee is
-- never deleted and keeps its key.
CREATE TRIGGER employees_kept BEFORE DELETE OR TRUNCATE ON employee.employees
  FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change('payroll items name their employee');
CREATE TRIGGER employees_key_kept BEFORE UPDATE OF organization_id, id ON employee.employees
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id OR OLD.id <> NEW.id)
  EXECUTE FUNCTION core.refuse_change('payroll items name their employee');
