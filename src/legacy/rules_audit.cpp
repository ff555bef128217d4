// auth.audit_logs and compliance.audit_logs → compliance.audit_logs: queued for each
// organisation's hash chain, both tables merged in time order (ties: the table, then the id),
// marked imported; a running server's sealer chains them (src/modules/compliance/sealer.cpp), so
// the chains verify once sealed. A legacy row had no organisation: its is its user's, even for a
// user that was skipped (the log is history, not a live reference: its actor is the legacy user id
// as written). What the new columns cannot hold — details, address, agent, an entity id that is not
// a uuid — is kept in `after`; the request id "legacy:<db>:<id>" says where it came from.
#include <fmt/format.h>

#include <string_view>

#include "legacy/rules.hpp"

namespace payrollx::legacy {
namespace {

void stage_facts(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_audit_facts ON COMMIT DROP AS
    WITH merged AS (
      SELECT 'auth.audit_logs' AS legacy_table, 'legacy:auth:' || s.id AS request_id,
        to_json(s.details) AS details_json, s.*
      FROM legacy_auth_audit_logs s
      UNION ALL
      SELECT 'compliance.audit_logs', 'legacy:compliance:' || s.id, s.details::json, s.*
      FROM legacy_compliance_audit_logs s)
    SELECT m.legacy_table, m.id, pg_temp.legacy_uuid(m.id) AS uuid, m.request_id,
      t.id IS NOT NULL AS present, o.id AS organization_id,
      pg_temp.legacy_uuid(m."userId") AS actor_id, m.action, m."entityType" AS entity_type,
      pg_temp.legacy_uuid(m."entityId") AS entity_id,
      json_build_object('details', m.details_json, 'ipAddress', m."ipAddress",
                        'userAgent', m."userAgent", 'entityId', m."entityId",
                        'userId', m."userId")::text AS after,
      m."createdAt"::timestamp AS created_at
    FROM merged m
    LEFT JOIN compliance.audit_logs t ON t.id = pg_temp.legacy_uuid(m.id)
      AND t.request_id = m.request_id
    LEFT JOIN legacy_auth_users u ON u.id = m."userId"
    LEFT JOIN organization.organizations o ON o.id = pg_temp.legacy_uuid(u."organizationId");
    ANALYZE legacy_audit_facts)sql");
}

// An id already taken by the other table's written row is a duplicate (the new log's ids are
// unique across both).
void decide_rows(db::BlockingConnection& db, std::string_view legacy_table) {
  decide(db, {.legacy_table = legacy_table,
              .checked = fmt::format(R"sql(
      SELECT f.id, f.present, f.id AS unique_key, f.created_at,
        CASE WHEN f.uuid IS NULL THEN 'invalid_id'
             WHEN f.organization_id IS NULL THEN 'orphan'
             WHEN taken.legacy_id IS NOT NULL THEN 'duplicate_id' END AS reason
      FROM legacy_audit_facts f
      LEFT JOIN legacy_audit_facts other ON other.uuid = f.uuid
        AND other.legacy_table <> f.legacy_table
      LEFT JOIN legacy_outcomes taken ON taken.legacy_table = other.legacy_table
        AND taken.legacy_id = other.id AND taken.outcome = 'written'
      WHERE f.legacy_table = '{}')sql",
                                     legacy_table),
              .duplicate_reason = "duplicate_id"});
}

// Written as the server writes its entries: each with a row in the sealer's queue, in time order
// (the positions follow the ORDER BY). The sealer of any running instance then chains them after
// what was queued before the import, exactly as it chains the server's own entries; the import
// never writes the chain itself, so it cannot race a sealer for a head.
void queue_for_the_chains(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_audit_written ON COMMIT DROP AS
    SELECT f.* FROM legacy_audit_facts f
    JOIN legacy_outcomes o ON o.legacy_table = f.legacy_table AND o.legacy_id = f.id
      AND o.outcome = 'written';

    INSERT INTO compliance.audit_logs (id, organization_id, actor_id, action, entity_type,
      entity_id, before, after, request_id, created_at, imported)
    SELECT f.uuid, f.organization_id, f.actor_id, f.action, f.entity_type, f.entity_id,
      NULL, f.after::json, f.request_id, f.created_at AT TIME ZONE 'UTC', true
    FROM legacy_audit_written f;

    INSERT INTO compliance.audit_unsealed (organization_id, entry_id)
    SELECT f.organization_id, f.uuid FROM legacy_audit_written f
    ORDER BY f.organization_id, f.created_at, f.legacy_table, f.id)sql");
}

}  // namespace

// Decided first, written with the compliance database's rows (convert_compliance_audit_logs):
// the two tables go into one time order.
void convert_auth_audit_logs(db::BlockingConnection& db) {
  stage_facts(db);
  decide_rows(db, "auth.audit_logs");
}

void convert_compliance_audit_logs(db::BlockingConnection& db) {
  decide_rows(db, "compliance.audit_logs");
  queue_for_the_chains(db);
}

}  // namespace payrollx::legacy
