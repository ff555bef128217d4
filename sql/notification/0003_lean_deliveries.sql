-- A delivery keeps what its message is made of, not the message: an email's recipient address
-- and name and its template's values ({to,toName,values}), rendered with the organisation's
-- template when it is sent; a webhook's event data, put in its {id,type,createdAt,
-- organizationId,data} body (from the row's columns) when it is sent. A 10,000-employee run
-- then writes a few hundred bytes per delivery instead of its rendered message.
--
-- And no foreign keys: each is a trigger per inserted row, half the cost of the fan-out of a
-- large run. The referenced rows are never deleted (users are deactivated, endpoints and
-- organisations marked), the notification module writes only ids its caller's transaction
-- has just read, and every read of deliveries is scoped by organization_id.
ALTER TABLE notification.deliveries
  DROP CONSTRAINT deliveries_organization_id_fkey,
  DROP CONSTRAINT deliveries_recipient_id_fkey,
  DROP CONSTRAINT deliveries_endpoint_id_fkey;

UPDATE notification.deliveries SET payload = (payload::jsonb -> 'data')::text
WHERE channel = 'WEBHOOK';

-- Pending emails of the earlier format (rendered text) have no values to render: they fail,
-- visibly, instead of going out garbled.
UPDATE notification.deliveries
SET status = 'FAILED', payload = '{}', last_error = 'queued before migration 0003; not sent'
WHERE channel = 'EMAIL' AND status = 'PENDING';
