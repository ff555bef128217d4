-- Organisations whose deliveries wait (a suspended one): the dispatcher claims none of theirs
-- until the row is gone again, and then sends them where they were.
CREATE TABLE notification.held_organizations (
  organization_id uuid PRIMARY KEY REFERENCES organization.organizations (id),
  held_at         timestamptz NOT NULL DEFAULT now()
);
