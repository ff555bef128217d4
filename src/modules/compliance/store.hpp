#pragma once
// The audit log's storage (schema compliance only): typed functions over its rows, their SQL
// private to store.cpp. Private to the compliance module.
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

// Takes the organisation's chain head and locks its row until COMMIT, creating it for the
// organisation's first entry.
boost::asio::awaitable<ChainHead> take_head(db::Tx& tx, const Uuid& organization_id);
// Inserts one entry whose link is complete (seq, prev_hash, created_at decided) and moves the
// head to it.
boost::asio::awaitable<void> append(db::Tx& tx, const ChainLink& link, const std::string& hash);
// Inserts consecutive entries of one organisation, hashes[i] that of links[i], in one statement,
// and moves the head to the last one.
boost::asio::awaitable<void> append_many(db::Tx& tx, const Uuid& organization_id,
                                         std::span<const ChainLink> links,
                                         const std::vector<std::string>& hashes);

struct StoredEntry {
  Uuid id;
  ChainLink link;
  std::string hash;
};

// Up to `limit` entries, newest first (by seq), after the entry `after` (the previous page's
// last); an empty filter field matches everything.
boost::asio::awaitable<std::vector<StoredEntry>> select_page(db::Pool& pool,
                                                             const Uuid& organization_id,
                                                             const AuditFilter& filter,
                                                             const std::optional<Uuid>& after,
                                                             int limit);
// Up to `limit` entries in chain order after seq `after_seq`.
boost::asio::awaitable<std::vector<StoredEntry>> select_chain_batch(db::Tx& tx,
                                                                    const Uuid& organization_id,
                                                                    std::int64_t after_seq,
                                                                    int limit);
// None before the organisation's first entry.
boost::asio::awaitable<std::optional<ChainHead>> select_head(db::Tx& tx,
                                                             const Uuid& organization_id);

// {id,seq,actorId,action,entityType,entityId,before,after,requestId,createdAt,hash}
boost::json::object to_json(const StoredEntry& entry);

}  // namespace store
}  // namespace payrollx::compliance
