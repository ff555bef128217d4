// The audit log's rules: append in the caller's transaction, the hash chain, verification.
//
// Why the chain head is taken in a before-commit hook: every entry's hash covers the previous
// entry's hash, so appends of one organisation must be ordered. Taking the head row's lock where
// the change happens would hold it for the rest of the caller's transaction (its other
// statements, its network round trips), and every write of the organisation would queue behind
// it. Instead append() only records the entry, and the hook — run right before COMMIT — takes
// the head with one locking upsert, computes seq/prev_hash/hash here, inserts the entry and moves
// the head. The lock is held from just before COMMIT to COMMIT, so concurrent writers of one
// organisation serialize only on that short tail, and a transaction that rolls back never takes
// the lock or leaves a trace. Sealing asynchronously (a background sealer) would shorten it
// further but leave committed changes with unsealed entries for a while; this keeps "committed
// change ⇒ verified entry" true at every instant.
#include "modules/compliance/service.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <memory>
#include <span>
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/http/context.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

// Rows per verification batch: bounded memory whatever the chain's length.
constexpr int k_verify_batch = 1000;

std::optional<std::string> json_text(const boost::json::value& value) {
  if (value.is_null()) return std::nullopt;
  return boost::json::serialize(value);
}

// The link of an entry, complete but for what the head decides: seq, prev_hash, created_at.
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
  return link;
}

// The before-commit hook of one entry. Owns its link (the hook may outlive append's frame).
boost::asio::awaitable<void> seal(db::Tx& tx, std::shared_ptr<ChainLink> link) {
  auto head = co_await store::take_head(tx, link->organization_id);
  link->seq = head.seq + 1;
  link->prev_hash = std::move(head.hash);
  link->created_at = now();
  co_await store::append(tx, *link, chain_hash(*link));
}

// The before-commit hook of append_many: per organisation (in id order, so that two bulk writers
// never wait on each other's heads in a cycle), one head take, the links chained here exactly as
// seal() chains them one at a time, and one INSERT for all of them.
boost::asio::awaitable<void> seal_many(db::Tx& tx, std::shared_ptr<std::vector<ChainLink>> links) {
  // Each organisation's links together, in the order they were appended.
  std::stable_sort(links->begin(), links->end(), [](const ChainLink& a, const ChainLink& b) {
    return a.organization_id < b.organization_id;
  });
  for (auto first = links->begin(); first != links->end();) {
    const auto organization_id = first->organization_id;
    auto last = std::find_if(first, links->end(), [&](const ChainLink& link) {
      return link.organization_id != organization_id;
    });
    auto head = co_await store::take_head(tx, organization_id);
    auto seq = head.seq;
    auto prev_hash = std::move(head.hash);
    const auto created_at = now();
    std::vector<std::string> hashes;
    hashes.reserve(static_cast<std::size_t>(last - first));
    for (auto link = first; link != last; ++link) {
      link->seq = ++seq;
      link->prev_hash = prev_hash;
      link->created_at = created_at;
      hashes.push_back(chain_hash(*link));
      prev_hash = hashes.back();
    }
    co_await store::append_many(tx, organization_id, std::span<const ChainLink>(first, last),
                                hashes);
    first = last;
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
  auto link = std::make_shared<ChainLink>(unsealed_link(std::move(entry)));
  tx.before_commit([link](db::Tx& commit_tx) { return seal(commit_tx, link); });
  co_return;
}

boost::asio::awaitable<void> AuditLog::append_many(db::Tx& tx, std::vector<AuditEntry> entries) {
  if (entries.empty()) co_return;
  auto links = std::make_shared<std::vector<ChainLink>>();
  links->reserve(entries.size());
  for (auto& entry : entries) links->push_back(unsealed_link(std::move(entry)));
  tx.before_commit([links](db::Tx& commit_tx) { return seal_many(commit_tx, links); });
}

boost::asio::awaitable<std::vector<store::StoredEntry>> list_entries(
    db::Pool& pool, const Uuid& organization_id, const AuditFilter& filter,
    const std::optional<Uuid>& after, int limit) {
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
    // Every entry is intact; the head must point at the last one, else entries were removed.
    auto head = co_await store::select_head(tx, organization_id);
    verdict.ok = head ? head->seq == last_seq && head->hash == last_hash : last_seq == 0;
    co_return verdict;
  };
  // One snapshot for all batches: entries committed meanwhile are not half-seen.
  db::TxOptions options;
  options.isolation = db::Isolation::repeatable_read;
  options.read_only = true;
  co_return co_await pool.transaction(verify, options);
}

}  // namespace payrollx::compliance
