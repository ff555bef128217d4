#include "modules/compliance/store.hpp"

#include <boost/json/parse.hpp>
#include <type_traits>

#include "core/db/pool.hpp"
#include "core/invariant.hpp"

namespace payrollx::compliance::store {
namespace {

using boost::asio::awaitable;

// $1 id, $2 organization_id, $3 actor_id, $4 action, $5 entity_type, $6 entity_id, $7 before,
// $8 after (json text), $9 request_id, $10 created_at: one array per column, an element per
// entry in append order. Text arrays carry no NULLs, so '' stands for NULL in the nullable
// columns (a uuid, a json text and a request id are never empty). The queue's positions are
// drawn in the same order (a volatile default is computed after the ORDER BY).
constexpr db::Query k_insert_entries{
    "compliance.insert_entries",
    "WITH entries AS ("
    "  INSERT INTO compliance.audit_logs (id, organization_id, actor_id, action, entity_type,"
    "    entity_id, before, after, request_id, created_at)"
    "  SELECT e.id, e.organization_id, NULLIF(e.actor_id, '')::uuid, e.action, e.entity_type,"
    "    NULLIF(e.entity_id, '')::uuid, NULLIF(e.before, '')::json, NULLIF(e.after, '')::json,"
    "    NULLIF(e.request_id, ''), e.created_at::timestamptz"
    "  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "    $7::text[], $8::text[], $9::text[], $10::text[])"
    "    AS e(id, organization_id, actor_id, action, entity_type, entity_id, before, after,"
    "    request_id, created_at)) "
    "INSERT INTO compliance.audit_unsealed (organization_id, entry_id) "
    "SELECT q.organization_id, q.id FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY"
    "  AS q(id, organization_id, n) ORDER BY q.n"};

// $1 organization_id.
constexpr db::Query k_has_queued{
    .name = "compliance.has_queued_entries",
    .sql =
        "SELECT EXISTS (SELECT 1 FROM compliance.audit_unsealed WHERE organization_id = $1)"
        "  AS queued",
    .shared = true};

// Takes the head with a no-op DO UPDATE, which is what takes the row lock. $1 organization_id,
// $2 genesis hash → seq, hash.
constexpr db::Query k_take_head{
    "compliance.take_chain_head",
    "INSERT INTO compliance.audit_chain_heads AS head (organization_id, seq, hash) "
    "VALUES ($1, 0, $2) "
    "ON CONFLICT (organization_id) DO UPDATE SET seq = head.seq "
    "RETURNING seq, hash"};

// The columns of an entry's content; json columns as their exact stored text.
#define PAYROLLX_ENTRY_COLUMNS                                                  \
  "e.id, e.organization_id, e.actor_id, e.action, e.entity_type, e.entity_id, " \
  "e.before::text AS before, e.after::text AS after, e.request_id, e.created_at"

// The queue's first rows, then each one's entry by its key (OFFSET 0 keeps the lookup a lookup):
// as a plain join, the planner, misled by a queue whose size swings between none and thousands,
// merged it with the organisation's whole log, 3 ms a pass at 300,000 entries (docs/bench.md).
// $1 organization_id, $2 limit.
constexpr db::Query k_select_queued{
    "compliance.select_queued_entries",
    "SELECT q.position, " PAYROLLX_ENTRY_COLUMNS
    " FROM (SELECT position, entry_id FROM compliance.audit_unsealed"
    "       WHERE organization_id = $1 ORDER BY position LIMIT $2) q"
    " CROSS JOIN LATERAL (SELECT * FROM compliance.audit_logs e"
    "   WHERE e.organization_id = $1 AND e.id = q.entry_id OFFSET 0) e "
    "ORDER BY q.position"};

// $1 organization_id; the seals' $2 entry_id, $3 seq, $4 prev_hash, $5 hash; $6 the sealed
// entries' queue positions; $7 seq and $8 hash of the last seal → how many queue rows went.
constexpr db::Query k_store_seals{
    "compliance.store_seals",
    "WITH sealed AS ("
    "  INSERT INTO compliance.audit_seals (organization_id, seq, entry_id, prev_hash, hash)"
    "  SELECT $1, s.seq, s.entry_id, s.prev_hash, s.hash"
    "  FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[])"
    "    AS s(entry_id, seq, prev_hash, hash)"
    "), dequeued AS ("
    "  DELETE FROM compliance.audit_unsealed"
    "  WHERE organization_id = $1 AND position = ANY($6::bigint[]) RETURNING 1) "
    "UPDATE compliance.audit_chain_heads SET seq = $7::bigint, hash = $8::text "
    "WHERE organization_id = $1 "
    "RETURNING (SELECT count(*) FROM dequeued) AS dequeued"};

// Every organisation's queue, across organisations on purpose: the sweep.
constexpr db::Query k_select_unsealed_organizations{
    "compliance.select_unsealed_organizations",
    "SELECT DISTINCT organization_id FROM compliance.audit_unsealed"};

// A sealed entry: its content and its seal.
#define PAYROLLX_SEALED_ENTRIES                           \
  "compliance.audit_seals s JOIN compliance.audit_logs e" \
  "  ON e.organization_id = s.organization_id AND e.id = s.entry_id "

// $1 organization_id, $2 entity_type, $3 entity_id, $4 actor_id, $5 action, $6 from, $7 to
// (inclusive), $8 id of the previous page's last entry, $9 limit; a NULL filter matches
// everything.
constexpr db::Query k_select_page{
    "compliance.select_audit_page",
    "SELECT s.seq, s.prev_hash, s.hash, " PAYROLLX_ENTRY_COLUMNS " FROM " PAYROLLX_SEALED_ENTRIES
    "WHERE s.organization_id = $1"
    "  AND ($2::text IS NULL OR e.entity_type = $2)"
    "  AND ($3::uuid IS NULL OR e.entity_id = $3)"
    "  AND ($4::uuid IS NULL OR e.actor_id = $4)"
    "  AND ($5::text IS NULL OR e.action = $5)"
    "  AND ($6::timestamptz IS NULL OR e.created_at >= $6)"
    "  AND ($7::timestamptz IS NULL OR e.created_at <= $7)"
    "  AND ($8::uuid IS NULL OR s.seq < (SELECT previous.seq FROM compliance.audit_seals previous"
    "       WHERE previous.organization_id = $1 AND previous.entry_id = $8))"
    " ORDER BY s.seq DESC LIMIT $9"};

// $1 organization_id, $2 after this seq, $3 limit.
constexpr db::Query k_select_chain_batch{
    "compliance.select_chain_batch",
    "SELECT s.seq, s.prev_hash, s.hash, " PAYROLLX_ENTRY_COLUMNS " FROM " PAYROLLX_SEALED_ENTRIES
    "WHERE s.organization_id = $1 AND s.seq > $2 ORDER BY s.seq LIMIT $3"};

#undef PAYROLLX_SEALED_ENTRIES
#undef PAYROLLX_ENTRY_COLUMNS

// $1 organization_id → seq, hash; no row before the organisation's first seal.
constexpr db::Query k_select_head{
    "compliance.select_chain_head",
    "SELECT seq, hash FROM compliance.audit_chain_heads WHERE organization_id = $1"};

// $1 organization_id → entries, queued, and a queued entry that is sealed already (or NULL).
constexpr db::Query k_select_unsealed_tail{
    "compliance.select_unsealed_tail",
    "SELECT (SELECT count(*) FROM compliance.audit_logs e WHERE e.organization_id = $1)"
    "  AS entries,"
    " (SELECT count(*) FROM compliance.audit_unsealed q WHERE q.organization_id = $1) AS queued,"
    " (SELECT q.entry_id FROM compliance.audit_unsealed q JOIN compliance.audit_seals s"
    "   ON s.organization_id = q.organization_id AND s.entry_id = q.entry_id"
    "   WHERE q.organization_id = $1 ORDER BY q.position LIMIT 1) AS sealed_and_queued"};

// $1 organization_id → the earliest entry neither sealed nor queued.
constexpr db::Query k_select_unaccounted_entry{
    "compliance.select_unaccounted_entry",
    "SELECT e.id FROM compliance.audit_logs e WHERE e.organization_id = $1"
    "  AND NOT EXISTS (SELECT 1 FROM compliance.audit_seals s"
    "    WHERE s.organization_id = $1 AND s.entry_id = e.id)"
    "  AND NOT EXISTS (SELECT 1 FROM compliance.audit_unsealed q"
    "    WHERE q.organization_id = $1 AND q.entry_id = e.id)"
    " ORDER BY e.created_at, e.id LIMIT 1"};

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

// The content columns of an entry (PAYROLLX_ENTRY_COLUMNS) into `link`.
void read_content(const db::Row& row, ChainLink& link) {
  link.organization_id = row.get<Uuid>("organization_id");
  link.actor_id = row.get<std::optional<Uuid>>("actor_id");
  link.action = row.get<std::string>("action");
  link.entity_type = row.get<std::string>("entity_type");
  link.entity_id = row.get<std::optional<Uuid>>("entity_id");
  link.before = row.get<std::optional<std::string>>("before");
  link.after = row.get<std::optional<std::string>>("after");
  link.request_id = row.get<std::optional<std::string>>("request_id");
  link.created_at = row.get<Timestamp>("created_at");
}

StoredEntry stored_entry(const db::Row& row) {
  StoredEntry entry;
  entry.id = row.get<Uuid>("id");
  entry.hash = row.get<std::string>("hash");
  entry.link.prev_hash = row.get<std::string>("prev_hash");
  entry.link.seq = row.get<std::int64_t>("seq");
  read_content(row, entry.link);
  return entry;
}

std::vector<StoredEntry> stored_entries(const db::Result& result) {
  std::vector<StoredEntry> entries;
  entries.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) entries.push_back(stored_entry(row));
  return entries;
}

}  // namespace

awaitable<std::vector<Uuid>> insert_entries(db::Tx& tx, std::span<const ChainLink> links) {
  std::vector<Uuid> ids, organization_ids;
  std::vector<std::string> actor_ids, actions, entity_types, entity_ids, befores, afters,
      request_ids, created;
  for (const ChainLink& link : links) {
    ids.push_back(Uuid::random());
    organization_ids.push_back(link.organization_id);
    actor_ids.push_back(text_or_empty(link.actor_id));
    actions.push_back(link.action);
    entity_types.push_back(link.entity_type);
    entity_ids.push_back(text_or_empty(link.entity_id));
    befores.push_back(text_or_empty(link.before));
    afters.push_back(text_or_empty(link.after));
    request_ids.push_back(text_or_empty(link.request_id));
    created.push_back(to_rfc3339(link.created_at));
  }
  // Nothing to read back: it goes with the transaction's next statement or its COMMIT.
  tx.defer(k_insert_entries, ids, organization_ids, actor_ids, actions, entity_types, entity_ids,
           befores, afters, request_ids, created);
  co_return ids;
}

awaitable<bool> has_queued(db::Pool& pool, const Uuid& organization_id) {
  auto result = co_await pool.query(k_has_queued, organization_id);
  co_return result.one().get<bool>("queued");
}

awaitable<ChainHead> take_head(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_take_head, organization_id, k_genesis_hash);
  co_return head_from(result.one());
}

awaitable<std::vector<QueuedEntry>> select_queued(db::Tx& tx, const Uuid& organization_id,
                                                  int limit) {
  auto result = co_await tx.query(k_select_queued, organization_id, limit);
  std::vector<QueuedEntry> entries;
  entries.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) {
    QueuedEntry& entry = entries.emplace_back();
    entry.position = row.get<std::int64_t>("position");
    entry.id = row.get<Uuid>("id");
    read_content(row, entry.link);
  }
  co_return entries;
}

awaitable<void> store_seals(db::Tx& tx, const Uuid& organization_id, std::span<const Seal> seals,
                            const std::vector<std::int64_t>& positions) {
  PAYROLLX_INVARIANT(!seals.empty() && seals.size() == positions.size(),
                     "one queued entry per seal");
  std::vector<Uuid> entry_ids;
  std::vector<std::int64_t> seqs;
  std::vector<std::string> prev_hashes, hashes;
  for (const Seal& seal : seals) {
    entry_ids.push_back(seal.entry_id);
    seqs.push_back(seal.seq);
    prev_hashes.push_back(seal.prev_hash);
    hashes.push_back(seal.hash);
  }
  auto result = co_await tx.query(k_store_seals, organization_id, entry_ids, seqs, prev_hashes,
                                  hashes, positions, seals.back().seq, seals.back().hash);
  // The head's lock is held: no other sealer can have taken these entries off the queue.
  PAYROLLX_INVARIANT(
      result.one().get<std::int64_t>("dequeued") == static_cast<std::int64_t>(seals.size()),
      "every sealed entry left the queue exactly once");
}

awaitable<std::vector<Uuid>> select_unsealed_organizations(db::Pool& pool) {
  auto result = co_await pool.query(k_select_unsealed_organizations);
  std::vector<Uuid> ids;
  for (auto row : result) ids.push_back(row.get<Uuid>("organization_id"));
  co_return ids;
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

awaitable<UnsealedTail> select_unsealed_tail(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_select_unsealed_tail, organization_id);
  auto row = result.one();
  co_return UnsealedTail{.entries = row.get<std::int64_t>("entries"),
                         .queued = row.get<std::int64_t>("queued"),
                         .sealed_and_queued = row.get<std::optional<Uuid>>("sealed_and_queued")};
}

awaitable<std::optional<Uuid>> select_unaccounted_entry(db::Tx& tx, const Uuid& organization_id) {
  auto result = co_await tx.query(k_select_unaccounted_entry, organization_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return row->get<Uuid>("id");
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
