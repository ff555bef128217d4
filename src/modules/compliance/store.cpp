#include "modules/compliance/store.hpp"

#include <boost/json/parse.hpp>
#include <type_traits>

#include "core/db/pool.hpp"
#include "core/invariant.hpp"

namespace payrollx::compliance::store {
namespace {

using boost::asio::awaitable;

// Takes the head with a no-op DO UPDATE, which is what takes the row lock. $1 organization_id,
// $2 genesis hash → seq, hash.
constexpr db::Query k_take_head{
    "compliance.take_chain_head",
    "INSERT INTO compliance.audit_chain_heads AS head (organization_id, seq, hash) "
    "VALUES ($1, 0, $2) "
    "ON CONFLICT (organization_id) DO UPDATE SET seq = head.seq "
    "RETURNING seq, hash"};

// $1 id, $2 organization_id, $3 seq, $4 actor_id, $5 action, $6 entity_type, $7 entity_id,
// $8 before, $9 after (json text), $10 request_id, $11 created_at, $12 prev_hash, $13 hash.
constexpr db::Query k_append{
    "compliance.append_entry",
    "WITH entry AS ("
    "  INSERT INTO compliance.audit_logs (id, organization_id, seq, actor_id, action, entity_type,"
    "    entity_id, before, after, request_id, created_at, prev_hash, hash)"
    "  VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8::json, $9::json, $10, $11, $12,"
    "    $13::text)) "
    "UPDATE compliance.audit_chain_heads SET seq = $3::bigint, hash = $13::text "
    "WHERE organization_id = $2"};

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

// $1 organization_id, $2 entity_type, $3 entity_id, $4 actor_id, $5 action, $6 from, $7 to
// (inclusive), $8 id of the previous page's last entry, $9 limit; a NULL filter matches
// everything.
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

// $1 organization_id, $2 after this seq, $3 limit.
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

boost::json::value json_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::parse(*text);
}

boost::json::value text_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::value(*text);
}

boost::json::value uuid_or_null(const std::optional<Uuid>& id) {
  if (!id) return nullptr;
  return boost::json::value(id->str());
}

// A nullable value as text, '' for NULL (see k_append_many).
template <class T>
std::string text_or_empty(const std::optional<T>& value) {
  if (!value) return {};
  if constexpr (std::is_same_v<T, Uuid>)
    return value->str();
  else
    return *value;
}

ChainHead head_from(const db::Row& row) {
  return {.seq = row.get<std::int64_t>("seq"), .hash = row.get<std::string>("hash")};
}

StoredEntry stored_entry(const db::Row& row) {
  StoredEntry entry;
  entry.id = row.get<Uuid>("id");
  entry.hash = row.get<std::string>("hash");
  auto& link = entry.link;
  link.prev_hash = row.get<std::string>("prev_hash");
  link.organization_id = row.get<Uuid>("organization_id");
  link.seq = row.get<std::int64_t>("seq");
  link.actor_id = row.get<std::optional<Uuid>>("actor_id");
  link.action = row.get<std::string>("action");
  link.entity_type = row.get<std::string>("entity_type");
  link.entity_id = row.get<std::optional<Uuid>>("entity_id");
  link.before = row.get<std::optional<std::string>>("before");
  link.after = row.get<std::optional<std::string>>("after");
  link.request_id = row.get<std::optional<std::string>>("request_id");
  link.created_at = row.get<Timestamp>("created_at");
  return entry;
}

std::vector<StoredEntry> stored_entries(const db::Result& result) {
  std::vector<StoredEntry> entries;
  entries.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) entries.push_back(stored_entry(row));
  return entries;
}

}  // namespace

awaitable<ChainHead> take_head(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_take_head, organization_id, k_genesis_hash);
  co_return head_from(result.one());
}

awaitable<void> append(db::Tx& tx, const ChainLink& link, const std::string& hash) {
  co_await tx.query(k_append, Uuid::random(), link.organization_id, link.seq, link.actor_id,
                    link.action, link.entity_type, link.entity_id, link.before, link.after,
                    link.request_id, link.created_at, link.prev_hash, hash);
}

awaitable<void> append_many(db::Tx& tx, const Uuid& organization_id,
                            std::span<const ChainLink> links,
                            const std::vector<std::string>& hashes) {
  PAYROLLX_INVARIANT(!links.empty() && links.size() == hashes.size(),
                     "audit entries appended with one hash each");
  std::vector<Uuid> ids;
  std::vector<std::int64_t> seqs;
  std::vector<std::string> actor_ids, actions, entity_types, entity_ids, befores, afters,
      request_ids, created, prev_hashes;
  for (const ChainLink& link : links) {
    ids.push_back(Uuid::random());
    seqs.push_back(link.seq);
    actor_ids.push_back(text_or_empty(link.actor_id));
    actions.push_back(link.action);
    entity_types.push_back(link.entity_type);
    entity_ids.push_back(text_or_empty(link.entity_id));
    befores.push_back(text_or_empty(link.before));
    afters.push_back(text_or_empty(link.after));
    request_ids.push_back(text_or_empty(link.request_id));
    created.push_back(to_rfc3339(link.created_at));
    prev_hashes.push_back(link.prev_hash);
  }
  co_await tx.query(k_append_many, organization_id, ids, seqs, actor_ids, actions, entity_types,
                    entity_ids, befores, afters, request_ids, created, prev_hashes, hashes,
                    links.back().seq, hashes.back());
}

awaitable<std::vector<StoredEntry>> select_page(db::Pool& pool, const Uuid& organization_id,
                                                const AuditFilter& filter,
                                                const std::optional<Uuid>& after, int limit) {
  auto result =
      co_await pool.query(k_select_page, organization_id, filter.entity_type, filter.entity_id,
                          filter.actor_id, filter.action, filter.from, filter.to, after, limit);
  co_return stored_entries(result);
}

awaitable<std::vector<StoredEntry>> select_chain_batch(db::Tx& tx, const Uuid& organization_id,
                                                       std::int64_t after_seq, int limit) {
  auto result = co_await tx.query(k_select_chain_batch, organization_id, after_seq, limit);
  co_return stored_entries(result);
}

awaitable<std::optional<ChainHead>> select_head(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_select_head, organization_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return head_from(*row);
}

boost::json::object to_json(const StoredEntry& entry) {
  const auto& link = entry.link;
  return {{"id", entry.id.str()},
          {"seq", link.seq},
          {"actorId", uuid_or_null(link.actor_id)},
          {"action", link.action},
          {"entityType", link.entity_type},
          {"entityId", uuid_or_null(link.entity_id)},
          {"before", json_or_null(link.before)},
          {"after", json_or_null(link.after)},
          {"requestId", text_or_null(link.request_id)},
          {"createdAt", to_rfc3339(link.created_at)},
          {"hash", entry.hash}};
}

}  // namespace payrollx::compliance::store
