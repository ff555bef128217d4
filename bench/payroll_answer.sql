-- The end of a paid run's transaction, as the server writes it, for bench/payroll.sql and
-- bench/payroll_each.sql (\ir): the Idempotency-Key answered with the run, and the audit entry
-- "payroll.run.executed" queued for the server's sealer. Needs :org, :run, :user, :key,
-- :run_before and :run_after.

UPDATE core.idempotency_keys SET status = 200, content_type = 'application/json',
  body = :'run_after' WHERE organization_id = :'org' AND key = :'key';

WITH entry AS (
  INSERT INTO compliance.audit_logs (id, organization_id, actor_id, action, entity_type,
    entity_id, before, after, request_id, created_at)
  VALUES (gen_random_uuid(), :'org', :'user', 'payroll.run.executed', 'payroll_run', :'run',
    :'run_before'::json, :'run_after'::json, :'key', now())
  RETURNING organization_id, id
)
INSERT INTO compliance.audit_unsealed (organization_id, entry_id)
SELECT organization_id, id FROM entry;
