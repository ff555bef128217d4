-- The outbox (API.md, notification): what leaves the building, written in the same transaction as
-- the work that caused it, sent afterwards by a dispatcher in every instance.

-- An organisation's webhook endpoints. The secret signs every delivery; it is shown once, at
-- creation. A deleted endpoint keeps its deliveries' history and receives nothing more.
CREATE TABLE notification.webhook_endpoints (
  id              uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
  events          text[] NOT NULL CHECK (cardinality(events) > 0),
  secret          text NOT NULL,
  created_by      uuid REFERENCES auth.users (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz
);
CREATE INDEX webhook_endpoints_organization_idx
  ON notification.webhook_endpoints (organization_id, created_at DESC, id DESC)
  WHERE deleted_at IS NULL;

-- An organisation's own templates; an event type without a row uses the system default.
CREATE TABLE notification.templates (
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  event_type      text NOT NULL,
  subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  updated_by      uuid REFERENCES auth.users (id),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, event_type)
);

-- One delivery per (event, channel, recipient or endpoint). `payload` is what is sent: the
-- webhook's JSON body (signed at send time), or the rendered email as JSON
-- {to,toName,subject,text} (its HTML part is made from the text at send time). A claimed delivery has its next_attempt_at pushed past the
-- send's deadline (a lease): an instance that dies mid-send leaves it due again, so a delivery
-- is sent at least once and never lost.
CREATE TABLE notification.deliveries (
  id               uuid PRIMARY KEY,
  organization_id  uuid NOT NULL REFERENCES organization.organizations (id),
  event_id         uuid NOT NULL,
  event_type       text NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('EMAIL', 'WEBHOOK')),
  endpoint_id      uuid REFERENCES notification.webhook_endpoints (id),
  recipient_id     uuid REFERENCES auth.users (id),
  payload          text NOT NULL,
  status           text NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_status_code integer,
  last_error       text,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((channel = 'WEBHOOK') = (endpoint_id IS NOT NULL)),
  CHECK ((channel = 'EMAIL') = (recipient_id IS NOT NULL))
);
-- What the dispatcher claims: due, pending, oldest first.
CREATE INDEX deliveries_due_idx ON notification.deliveries (next_attempt_at)
  WHERE status = 'PENDING';
-- An endpoint's deliveries, newest first (keyset pagination).
CREATE INDEX deliveries_endpoint_idx
  ON notification.deliveries (endpoint_id, created_at DESC, id DESC) WHERE endpoint_id IS NOT NULL;
