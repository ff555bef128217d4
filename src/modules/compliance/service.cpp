// The audit log's rules: append in the caller's transaction, verification of the chain.
//
// append() writes the entry and queues it, in the caller's transaction, and takes no lock: a
// transaction that rolls back leaves no trace, and commits of one organisation never wait for
// each other. The chain (seq, prev_hash, hash) is given to queued entries after commit by the
// sealer (sealer.cpp); readers of the chain seal what is queued first, so that what they show
// covers every change committed before they started.
#include "modules/compliance/service.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <memory>
#include <span>
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/http/context.hpp"
#include "core/log.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

// Rows per verification batch: bounded memory whatever the chain's length.
constexpr int k_verify_batch = 1000;

std::optional<std::string> json_text(const boost::json::value& value) {
  if (value.is_null()) return std::nullopt;
  return boost::json::serialize(value);
}

// The link of an entry, complete but for what its seal decides: seq and prev_hash.
ChainLink unsealed_link(AuditEntry&& entry) {
  if (entry.organization_id.is_nil() || entry.action.empty() || entry.entity_type.empty())
    throw std::logic_error("audit entry without organisation, action or entity type");
  ChainLink link;
  link.organization_id = entry.organization_id;
  link.actor_id = entry.actor.user_id;
  link.action = std::move(entry.action);
  link.entity_type = std::move(entry.entity_type);
  link.entity_id = entry.entity_id;
  link.before = json_text(entry.before);
  link.after = json_text(entry.after);
  if (!entry.actor.request_id.empty()) link.request_id = std::move(entry.actor.request_id);
  link.created_at = now();
  return link;
}

// Readers seal what is queued so that they show every change committed before them. A seal that
// fails (a queue row written outside PayrollX that names a sealed entry, a lost connection) must
// not make the log unreadable or unverifiable: the reader goes on with the chain as it is, and
// verification reports what is wrong.
boost::asio::awaitable<void> seal_before_reading(db::Pool& pool, const Uuid& organization_id) {
  try {
    co_await seal_queued(pool, organization_id);
  } catch (const std::exception& e) {
    log::error("audit.seal_failed", {{"organization", organization_id.str()}, {"error", e.what()}});
  }
}

bool intact(const store::StoredEntry& entry, std::int64_t expected_seq,
            const std::string& expected_prev_hash) {
  return entry.link.seq == expected_seq && entry.link.prev_hash == expected_prev_hash &&
         chain_hash(entry.link) == entry.hash;
}

}  // namespace

Actor actor_of(const http::RequestContext& ctx) {
  Actor actor;
  if (ctx.principal()) actor.user_id = ctx.principal()->user_id;
  actor.request_id = ctx.request_id();
  return actor;
}

boost::asio::awaitable<void> AuditLog::append(db::Tx& tx, AuditEntry entry) {
  std::vector<AuditEntry> entries;
  entries.push_back(std::move(entry));
  co_await append_many(tx, std::move(entries));
}

boost::asio::awaitable<void> AuditLog::append_many(db::Tx& tx, std::vector<AuditEntry> entries) {
  if (entries.empty()) co_return;
  std::vector<ChainLink> links;
  links.reserve(entries.size());
  for (auto& entry : entries) links.push_back(unsealed_link(std::move(entry)));
  co_await store::insert_entries(tx, links);
  if (!sealer_) co_return;
  std::vector<Uuid> organizations;
  for (const auto& link : links)
    if (std::find(organizations.begin(), organizations.end(), link.organization_id) ==
        organizations.end())
      organizations.push_back(link.organization_id);
  tx.after_commit([sealer = sealer_, organizations = std::move(organizations)] {
    for (const auto& organization_id : organizations) sealer->poke(organization_id);
  });
}

boost::asio::awaitable<std::vector<store::StoredEntry>> list_entries(
    db::Pool& pool, const Uuid& organization_id, const AuditFilter& filter,
    const std::optional<Uuid>& after, int limit) {
  co_await seal_before_reading(pool, organization_id);
  co_return co_await store::select_page(pool, organization_id, filter, after, limit);
}

boost::asio::awaitable<VerifyResult> verify_chain(db::Pool& pool, const Uuid& organization_id) {
  auto verify = [&](db::Tx& tx) -> boost::asio::awaitable<VerifyResult> {
    VerifyResult verdict;
    std::int64_t last_seq = 0;
    std::string last_hash(k_genesis_hash);
    for (bool more = true; more;) {
      auto batch =
          co_await store::select_chain_batch(tx, organization_id, last_seq, k_verify_batch);
      for (const auto& entry : batch) {
        ++verdict.checked;
        if (!intact(entry, last_seq + 1, last_hash)) {
          verdict.ok = false;
          verdict.first_broken_id = entry.id;
          co_return verdict;
        }
        last_seq = entry.link.seq;
        last_hash = entry.hash;
      }
      more = batch.size() == k_verify_batch;
    }
    // Every seal is intact; the head must point at the last one, else seals were removed.
    auto head = co_await store::select_head(tx, organization_id);
    verdict.ok = head ? head->seq == last_seq && head->hash == last_hash : last_seq == 0;
    if (!verdict.ok) co_return verdict;
    // The unsealed tail: every entry not in the chain must still be queued for it, and no
    // entry may be both.
    auto tail = co_await store::select_unsealed_tail(tx, organization_id);
    verdict.checked += tail.queued;
    if (tail.sealed_and_queued) {
      verdict.ok = false;
      verdict.first_broken_id = tail.sealed_and_queued;
    } else if (tail.entries != last_seq + tail.queued) {
      verdict.ok = false;
      verdict.first_broken_id = co_await store::select_unaccounted_entry(tx, organization_id);
    }
    co_return verdict;
  };
  // What was committed before the request is sealed first, so the tail is normally empty.
  co_await seal_before_reading(pool, organization_id);
  // One snapshot for all batches: entries committed meanwhile are not half-seen.
  db::TxOptions options;
  options.isolation = db::Isolation::repeatable_read;
  options.read_only = true;
  co_return co_await pool.transaction(verify, options);
}

}  // namespace payrollx::compliance
