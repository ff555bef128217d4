#pragma once
// The compliance module's SQL (schema compliance only) and the decoding of its rows.
#include <boost/json/object.hpp>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/compliance/chain.hpp"

namespace payrollx::compliance::store {

// Takes the organisation's chain head and locks its row until COMMIT, creating it (seq 0, the
// genesis hash) for the organisation's first entry. The no-op DO UPDATE is what takes the lock.
// $1 organization_id, $2 genesis hash → seq, hash.
constexpr db::Query k_take_head{
    "compliance.take_chain_head",
    "INSERT INTO compliance.audit_chain_heads AS head (organization_id, seq, hash) "
    "VALUES ($1, 0, $2) "
    "ON CONFLICT (organization_id) DO UPDATE SET seq = head.seq "
    "RETURNING seq, hash"};

// Inserts one entry and moves the head to it. $1 id, $2 organization_id, $3 seq, $4 actor_id,
// $5 action, $6 entity_type, $7 entity_id, $8 before, $9 after (json text), $10 request_id,
// $11 created_at, $12 prev_hash, $13 hash.
constexpr db::Query k_append{
    "compliance.append_entry",
    "WITH entry AS ("
    "  INSERT INTO compliance.audit_logs (id, organization_id, seq, actor_id, action, entity_type,"
    "    entity_id, before, after, request_id, created_at, prev_hash, hash)"
    "  VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8::json, $9::json, $10, $11, $12,"
    "    $13::text)) "
    "UPDATE compliance.audit_chain_heads SET seq = $3::bigint, hash = $13::text "
    "WHERE organization_id = $2"};

// Inserts a run of consecutive entries of one organisation and moves the head to the last one.
// $1 organization_id, then one array per column: $2 id, $3 seq, $4 actor_id, $5 action,
// $6 entity_type, $7 entity_id, $8 before, $9 after (json text), $10 request_id, $11 created_at,
// $12 prev_hash, $13 hash; text arrays carry no NULLs, so '' stands for NULL in the nullable
// columns (a uuid, a json text and a request id are never empty). $14 seq and $15 hash of the
// last entry.
constexpr db::Query k_append_many{
    "compliance.append_entries",
    "WITH entries AS ("
    "  INSERT INTO compliance.audit_logs (id, organization_id, seq, actor_id, action, entity_type,"
    "    entity_id, before, after, request_id, created_at, prev_hash, hash)"
    "  SELECT e.id, $1, e.seq, NULLIF(e.actor_id, '')::uuid, e.action, e.entity_type,"
    "    NULLIF(e.entity_id, '')::uuid, NULLIF(e.before, '')::json, NULLIF(e.after, '')::json,"
    "    NULLIF(e.request_id, ''), e.created_at::timestamptz, e.prev_hash, e.hash"
    "  FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],"
    "    $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])"
    "    AS e(id, seq, actor_id, action, entity_type, entity_id, before, after, request_id,"
    "    created_at, prev_hash, hash)) "
    "UPDATE compliance.audit_chain_heads SET seq = $14::bigint, hash = $15::text "
    "WHERE organization_id = $1"};

// The columns stored_entry() decodes; json columns as their exact stored text.
#define PAYROLLX_AUDIT_COLUMNS                                           \
  "id, organization_id, seq, actor_id, action, entity_type, entity_id, " \
  "before::text AS before, after::text AS after, request_id, created_at, prev_hash, hash"

// One page of the list, newest first (by seq). $1 organization_id, $2 entity_type, $3 entity_id,
// $4 actor_id, $5 action, $6 from, $7 to (inclusive), $8 id of the previous page's last entry,
// $9 limit; a NULL filter matches everything.
constexpr db::Query k_select_page{
    "compliance.select_audit_page",
    "SELECT " PAYROLLX_AUDIT_COLUMNS
    " FROM compliance.audit_logs "
    "WHERE organization_id = $1"
    "  AND ($2::text IS NULL OR entity_type = $2)"
    "  AND ($3::uuid IS NULL OR entity_id = $3)"
    "  AND ($4::uuid IS NULL OR actor_id = $4)"
    "  AND ($5::text IS NULL OR action = $5)"
    "  AND ($6::timestamptz IS NULL OR created_at >= $6)"
    "  AND ($7::timestamptz IS NULL OR created_at <= $7)"
    "  AND ($8::uuid IS NULL OR seq < (SELECT previous.seq FROM compliance.audit_logs previous"
    "       WHERE previous.organization_id = $1 AND previous.id = $8))"
    " ORDER BY seq DESC LIMIT $9"};

// The chain in seq order, one batch at a time. $1 organization_id, $2 after this seq, $3 limit.
constexpr db::Query k_select_chain_batch{
    "compliance.select_chain_batch",
    "SELECT " PAYROLLX_AUDIT_COLUMNS
    " FROM compliance.audit_logs "
    "WHERE organization_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"};

#undef PAYROLLX_AUDIT_COLUMNS

// $1 organization_id → seq, hash; no row before the organisation's first entry.
constexpr db::Query k_select_head{
    "compliance.select_chain_head",
    "SELECT seq, hash FROM compliance.audit_chain_heads WHERE organization_id = $1"};

struct StoredEntry {
  Uuid id;
  ChainLink link;
  std::string hash;
};

// A row of k_select_page or k_select_chain_batch.
StoredEntry stored_entry(const db::Row& row);
// {id,seq,actorId,action,entityType,entityId,before,after,requestId,createdAt,hash}
boost::json::object to_json(const StoredEntry& entry);

}  // namespace payrollx::compliance::store
