-- Organisation-first keys: the rule and its reason are in
-- compliance/0005_organization_first_keys.sql.
ALTER TABLE notification.notifications DROP CONSTRAINT notifications_pkey;
ALTER TABLE notification.notifications
  ADD CONSTRAINT notifications_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE notification.webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey;
ALTER TABLE notification.webhook_endpoints
  ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (organization_id, id);

ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_pkey;
ALTER TABLE notification.deliveries
  ADD CONSTRAINT deliveries_pkey PRIMARY KEY (organization_id, id);
