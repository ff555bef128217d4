-- Implied organisation keys (the reason: wallet/0006_implied_organization_keys.sql): an
-- employee names its wallet by (organization_id, wallet_id), components and documents name
-- their employee the same way.
ALTER TABLE employee.employees DROP CONSTRAINT employees_organization_id_fkey;
ALTER TABLE employee.components DROP CONSTRAINT components_organization_id_fkey;
ALTER TABLE employee.documents DROP CONSTRAINT documents_organization_id_fkey;
