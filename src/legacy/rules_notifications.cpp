// notification.notifications → the in-app inbox, as history: every legacy notice (whatever its
// channel) lands in its user's inbox with its subject and content, its metadata as data, and
// READ ones read (at their last update). The legacy rows had no event type: they are
// "legacy.<channel>" (legacy.email, legacy.sms, ...). A notice of a user not imported is an
// orphan.
#include "legacy/rules.hpp"

namespace payrollx::legacy {

void convert_notifications(db::BlockingConnection& db) {
  decide(db, {.legacy_table = "notification.notifications",
              .checked = R"sql(
      SELECT s.id, t.id IS NOT NULL AS present, s.id AS unique_key,
        s."createdAt"::timestamp AS created_at,
        CASE WHEN pg_temp.legacy_uuid(s.id) IS NULL THEN 'invalid_id'
             WHEN u.id IS NULL THEN 'orphan' END AS reason
      FROM legacy_notification_notifications s
      LEFT JOIN notification.notifications t ON t.id = pg_temp.legacy_uuid(s.id)
      LEFT JOIN auth.users u ON u.id = pg_temp.legacy_uuid(s."userId")
        AND u.organization_id IS NOT NULL)sql",
              .duplicate_reason = "duplicate_id"});
  db.run(R"sql(
    INSERT INTO notification.notifications (id, organization_id, user_id, event_type, title,
      body, data, read_at, created_at)
    SELECT pg_temp.legacy_uuid(s.id), u.organization_id, u.id, 'legacy.' || lower(s.type),
      s.subject, s.content, coalesce(s.metadata::json, '{}'),
      CASE WHEN s.status = 'READ' THEN s."updatedAt"::timestamp AT TIME ZONE 'UTC' END,
      s."createdAt"::timestamp AT TIME ZONE 'UTC'
    FROM legacy_notification_notifications s
    JOIN legacy_outcomes o ON o.legacy_table = 'notification.notifications'
      AND o.legacy_id = s.id AND o.outcome = 'written'
    JOIN auth.users u ON u.id = pg_temp.legacy_uuid(s."userId"))sql");
}

}  // namespace payrollx::legacy
