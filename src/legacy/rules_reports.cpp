// compliance.compliance_reports → compliance.reports, metadata only: the files were on a legacy
// server's disk, so an imported report is kind LEGACY with no content, and keeps its legacy
// name, status, file path and filters. Its status becomes READY (COMPLETED: made, file not
// imported) or FAILED (with the legacy error, or why). Reports had no organisation: theirs is
// their creator's (a creator skipped as a duplicate still names it).
#include "legacy/rules.hpp"

namespace payrollx::legacy {

void convert_reports(db::BlockingConnection& db) {
  db.run(R"sql(
    CREATE TEMP TABLE legacy_report_facts ON COMMIT DROP AS
    SELECT s.*, pg_temp.legacy_uuid(s.id) AS uuid, t.id IS NOT NULL AS present,
      o.id AS organization_id, s."startDate"::timestamp::date AS period_start,
      s."endDate"::timestamp::date AS period_end
    FROM legacy_compliance_compliance_reports s
    LEFT JOIN compliance.reports t ON t.id = pg_temp.legacy_uuid(s.id)
    LEFT JOIN legacy_auth_users u ON u.id = s."createdBy"
    LEFT JOIN organization.organizations o ON o.id = pg_temp.legacy_uuid(u."organizationId");
    ANALYZE legacy_report_facts)sql");
  decide(db, {.legacy_table = "compliance.compliance_reports",
              .checked = R"sql(
      SELECT id, present, id AS unique_key, "createdAt"::timestamp AS created_at,
        CASE WHEN uuid IS NULL THEN 'invalid_id'
             WHEN organization_id IS NULL THEN 'orphan'
             WHEN period_end < period_start THEN 'invalid_period' END AS reason
      FROM legacy_report_facts)sql",
              .duplicate_reason = "duplicate_id"});
  db.run(R"sql(
    INSERT INTO compliance.reports (id, organization_id, kind, format, period_start, period_end,
      status, progress, error, created_by, created_at, completed_at, legacy)
    SELECT f.uuid, f.organization_id, 'LEGACY', f.format, f.period_start, f.period_end,
      CASE f.status WHEN 'COMPLETED' THEN 'READY' ELSE 'FAILED' END,
      CASE f.status WHEN 'COMPLETED' THEN 100 ELSE 0 END,
      CASE f.status WHEN 'COMPLETED' THEN NULL
        ELSE coalesce(f.error, format('%s in the legacy system', lower(f.status))) END,
      pg_temp.legacy_uuid(f."createdBy"), f."createdAt"::timestamp AT TIME ZONE 'UTC',
      f."completedAt"::timestamp AT TIME ZONE 'UTC',
      jsonb_build_object('name', f.name, 'status', f.status, 'filePath', f."filePath",
                         'filters', f.filters::jsonb)
    FROM legacy_report_facts f
    JOIN legacy_outcomes o ON o.legacy_table = 'compliance.compliance_reports'
      AND o.legacy_id = f.id AND o.outcome = 'written')sql");
}

}  // namespace payrollx::legacy
