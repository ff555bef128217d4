-- Large fan-outs leave the transaction of their cause as a few records, not a row per delivery
-- (docs/design.md, "The outbox's fan-out records"). A 10,000-employee run's execute wrote 20,000
-- delivery rows with three indexes each; it now writes one record per slice and channel, and
-- the dispatcher of any instance expands each record into its deliveries after the commit, in a
-- transaction of its own that also deletes the record. The record is the durable form of the
-- deliveries: it rolls back with its cause (nothing sent for work that rolled back) and outlives
-- a crash (nothing committed lost). A fan-out of up to a claim's worth of deliveries is still
-- written as rows at once.
CREATE TABLE notification.fanouts (
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  id              uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('EMAIL', 'WEBHOOK')),
  -- EMAIL: the inbox notices (notification.notifications ids) to send by email; WEBHOOK: the
  -- events' ids.
  event_ids       uuid[] NOT NULL,
  -- WEBHOOK: the events' types.
  event_types     text[],
  -- EMAIL: what only the email of each notice may show (JSON, '' for nothing: an invitation's
  -- token); WEBHOOK: each event's data (JSON). A slice's data is over a megabyte: lz4 compresses
  -- it in about a third of pglz's time (a 5,000-event record written in 28 ms instead of 40).
  payloads        text[] COMPRESSION lz4 NOT NULL,
  -- WEBHOOK: the endpoints that were live when the events were published (an endpoint deleted
  -- since still gets its deliveries, which fail as every delivery to a deleted endpoint does).
  endpoint_ids    uuid[],
  -- The events' time: the deliveries' created_at, and the webhook body's createdAt.
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, id),
  CHECK (cardinality(event_ids) = cardinality(payloads)),
  CHECK ((channel = 'WEBHOOK') = (event_types IS NOT NULL AND endpoint_ids IS NOT NULL))
);

-- One delivery per (event, channel, recipient or endpoint) is enforced by the primary key: a
-- delivery's id is made of those (notification/queue_store.cpp), so an expansion that ran twice
-- cannot double a delivery, and the table, whose rows are updated twice per send (the claim, the
-- outcome: neither a HOT update), keeps no fourth index for it.

-- The inbox's reference to its recipient goes, like the deliveries' (0003): a trigger per row
-- was about a quarter of the insert of a large run's notices (EXPLAIN ANALYZE of 10,002
-- notices: 41-71 ms of a median 218 ms, docs/bench.md), users are never deleted (they are deactivated), and the
-- module writes only user ids its caller's transaction has just read. The organisation's
-- reference stays: it is what proves a tenant row's owner exists.
ALTER TABLE notification.notifications DROP CONSTRAINT notifications_user_id_fkey;
