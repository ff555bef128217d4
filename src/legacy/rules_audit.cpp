// auth.audit_logs and compliance.audit_logs → compliance.audit_logs: appended to each
// organisation's hash chain, both tables merged in time order (ties: the table, then the id),
// marked imported. The chain's hash is computed here with compliance's own function, so the
// chains verify afterwards. A legacy row had no organisation: its is its user's, even for a user
// that was skipped (the log is history, not a live reference: its actor is the legacy user id as
// written). What the new columns cannot hold — details, address, agent, an entity id that is not
// a uuid — is kept in `after`; the request id "legacy:<db>:<id>" says where it came from.
#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "legacy/rules.hpp"
#include "modules/compliance/compliance.hpp"

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

using Heads = std::map<std::string, std::pair<std::int64_t, std::string>>;  // seq, hash

// Each organisation's last link, locked; absent before its first entry.
Heads chain_heads(db::BlockingConnection& db) {
  Heads heads;
  for (auto& head :
       db.run("SELECT h.organization_id, h.seq, h.hash FROM compliance.audit_chain_heads h "
              "WHERE h.organization_id IN (SELECT organization_id FROM legacy_audit_facts) "
              "FOR UPDATE"))
    heads[head.at(0)] = {std::stoll(head.at(1)), head.at(2)};
  return heads;
}

std::optional<Uuid> uuid_or_null(const std::string& text) {
  if (text.empty()) return std::nullopt;  // NULL
  return Uuid::parse(text);
}

// The links of `rows` (chained after `heads`, which move along), as COPY text rows
// "request_id, seq, prev_hash, hash": no byte of them needs escaping.
std::string chain_links(const db::BlockingConnection::Rows& rows, Heads& heads) {
  std::string links;
  for (const auto& row : rows) {
    auto [head, _] = heads.try_emplace(row.at(0), 0, std::string(compliance::k_genesis_hash));
    auto created_at = parse_timestamp(row.at(7));
    auto organization_id = Uuid::parse(row.at(0));
    if (!created_at || !organization_id) throw std::logic_error("an unreadable audit fact");
    const compliance::ChainLink link{.prev_hash = head->second.second,
                                     .organization_id = *organization_id,
                                     .seq = head->second.first + 1,
                                     .actor_id = uuid_or_null(row.at(1)),
                                     .action = row.at(2),
                                     .entity_type = row.at(3),
                                     .entity_id = uuid_or_null(row.at(4)),
                                     .before = std::nullopt,
                                     .after = row.at(5),
                                     .request_id = row.at(6),
                                     .created_at = *created_at};
    auto hash = compliance::chain_hash(link);
    fmt::format_to(std::back_inserter(links), "{}\t{}\t{}\t{}\n", link.request_id.value(), link.seq,
                   link.prev_hash, hash);
    head->second = {link.seq, std::move(hash)};
  }
  return links;
}

// The rows to write go through a cursor, a batch at a time, so that memory stays bounded
// whatever the size of the logs.
void append_to_chains(db::BlockingConnection& db) {
  constexpr int k_batch = 10'000;
  auto heads = chain_heads(db);
  db.run(
      "CREATE TEMP TABLE legacy_audit_links (request_id text PRIMARY KEY, seq bigint,"
      " prev_hash text, hash text) ON COMMIT DROP");
  db.run(R"sql(
    DECLARE legacy_audit_rows NO SCROLL CURSOR FOR
    SELECT f.organization_id, f.actor_id, f.action, f.entity_type, f.entity_id, f.after,
      f.request_id, to_char(f.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    FROM legacy_audit_facts f
    JOIN legacy_outcomes o ON o.legacy_table = f.legacy_table AND o.legacy_id = f.id
      AND o.outcome = 'written'
    ORDER BY f.organization_id, f.created_at, f.legacy_table, f.id)sql");
  for (;;) {
    const auto rows = db.run(fmt::format("FETCH {} FROM legacy_audit_rows", k_batch));
    if (rows.empty()) break;
    db.copy_in("COPY legacy_audit_links FROM STDIN", chain_links(rows, heads));
  }
  db.run("CLOSE legacy_audit_rows; ANALYZE legacy_audit_links");
  db.run(R"sql(
    INSERT INTO compliance.audit_logs (id, organization_id, actor_id, action, entity_type,
      entity_id, before, after, request_id, created_at, imported)
    SELECT f.uuid, f.organization_id, f.actor_id, f.action, f.entity_type, f.entity_id,
      NULL, f.after::json, f.request_id, f.created_at AT TIME ZONE 'UTC', true
    FROM legacy_audit_links l JOIN legacy_audit_facts f ON f.request_id = l.request_id;

    INSERT INTO compliance.audit_seals (organization_id, seq, entry_id, prev_hash, hash)
    SELECT f.organization_id, l.seq, f.uuid, l.prev_hash, l.hash
    FROM legacy_audit_links l JOIN legacy_audit_facts f ON f.request_id = l.request_id;

    INSERT INTO compliance.audit_chain_heads AS h (organization_id, seq, hash)
    SELECT DISTINCT ON (f.organization_id) f.organization_id, l.seq, l.hash
    FROM legacy_audit_links l JOIN legacy_audit_facts f ON f.request_id = l.request_id
    ORDER BY f.organization_id, l.seq DESC
    ON CONFLICT (organization_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash)sql");
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
  append_to_chains(db);
}

}  // namespace payrollx::legacy
