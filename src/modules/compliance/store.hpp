#pragma once
// The audit log's storage (schema compliance only): typed functions over its rows, their SQL
// private to store.cpp. Private to the compliance module.
//
// Three tables: audit_logs holds each entry's content, written by the writer's transaction;
// audit_unsealed queues the entries not yet in the chain; audit_seals holds the chain (seq,
// prev_hash, hash per entry), written by the sealer, which moves audit_chain_heads along.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/compliance/chain.hpp"

namespace payrollx::db {
class Pool;
class Session;
class Tx;
}  // namespace payrollx::db

namespace payrollx::compliance {

struct AuditFilter {
  std::optional<std::string> entity_type;
  std::optional<Uuid> entity_id;
  std::optional<Uuid> actor_id;
  std::optional<std::string> action;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // inclusive
};

namespace store {

// Where an organisation's chain ends: seq 0 and the genesis hash before its first entry.
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash;
};

// Writes the entries (their links' seq and prev_hash are not decided yet) and queues them for
// sealing, in this order, in one statement. Returns their ids.
boost::asio::awaitable<std::vector<Uuid>> insert_entries(db::Tx& tx,
                                                         std::span<const ChainLink> links);

// Whether the organisation has entries waiting for their seal.
boost::asio::awaitable<bool> has_queued(db::Pool& pool, const Uuid& organization_id);

// Takes the organisation's chain head and locks its row until COMMIT, creating it for the
// organisation's first seal.
boost::asio::awaitable<ChainHead> take_head(db::Tx& tx, const Uuid& organization_id);

// An entry waiting for its seal: its place in the queue and its link without seq and prev_hash.
struct QueuedEntry {
  std::int64_t position = 0;
  Uuid id;
  ChainLink link;
};
// Up to `limit` of the organisation's queued entries, in queue order.
boost::asio::awaitable<std::vector<QueuedEntry>> select_queued(db::Tx& tx,
                                                               const Uuid& organization_id,
                                                               int limit);

struct Seal {
  Uuid entry_id;
  std::int64_t seq = 0;
  std::string prev_hash;
  std::string hash;
};
// Inserts consecutive seals of one organisation, removes the sealed entries (by queue position)
// from the queue and moves the head to the last seal, in one statement.
boost::asio::awaitable<void> store_seals(db::Tx& tx, const Uuid& organization_id,
                                         std::span<const Seal> seals,
                                         const std::vector<std::int64_t>& positions);

// The organisations with queued entries (the sweep for entries of an instance that died
// between a commit and its seal).
boost::asio::awaitable<std::vector<Uuid>> select_unsealed_organizations(db::Pool& pool);

struct StoredEntry {
  Uuid id;
  ChainLink link;
  std::string hash;
};

// Up to `limit` sealed entries, newest first (by seq), after the entry `after` (the previous
// page's last); an empty filter field matches everything.
boost::asio::awaitable<std::vector<StoredEntry>> select_page(db::Pool& pool,
                                                             const Uuid& organization_id,
                                                             const AuditFilter& filter,
                                                             const std::optional<Uuid>& after,
                                                             int limit);
// Up to `limit` sealed entries in chain order after seq `after_seq`.
boost::asio::awaitable<std::vector<StoredEntry>> select_chain_batch(db::Tx& tx,
                                                                    const Uuid& organization_id,
                                                                    std::int64_t after_seq,
                                                                    int limit);
// None before the organisation's first seal.
boost::asio::awaitable<std::optional<ChainHead>> select_head(db::Tx& tx,
                                                             const Uuid& organization_id);
// What verification checks besides the seals: how many entries the organisation has and how
// many are queued (every entry is sealed or queued, never both), and the first queued entry
// that is sealed already (none unless rows were written outside PayrollX).
struct UnsealedTail {
  std::int64_t entries = 0;
  std::int64_t queued = 0;
  std::optional<Uuid> sealed_and_queued;
};
boost::asio::awaitable<UnsealedTail> select_unsealed_tail(db::Tx& tx, const Uuid& organization_id);
// The organisation's earliest entry that is neither sealed nor queued: none unless rows were
// removed outside PayrollX. (An anti-join over every entry: only when the counts disagree.)
boost::asio::awaitable<std::optional<Uuid>> select_unaccounted_entry(db::Tx& tx,
                                                                     const Uuid& organization_id);

// {id,seq,actorId,action,entityType,entityId,before,after,requestId,createdAt,hash}
boost::json::object to_json(const StoredEntry& entry);

}  // namespace store
}  // namespace payrollx::compliance
