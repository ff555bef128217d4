-- The in-app inbox: one row per notice to one user.
CREATE SCHEMA IF NOT EXISTS notification;

CREATE TABLE notification.notifications (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES organization.organizations (id),
  user_id         uuid NOT NULL REFERENCES auth.users (id),
  event_type      text NOT NULL,
  title           text NOT NULL,
  body            text NOT NULL,
  data            jsonb NOT NULL DEFAULT '{}',
  read_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- A user's inbox, newest first (keyset pagination over created_at, id).
CREATE INDEX notifications_inbox_idx
  ON notification.notifications (user_id, created_at DESC, id DESC);
