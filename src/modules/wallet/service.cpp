// Wallets: opening them, locking them in a fixed order, posting balanced legs, holds, and the
// reconciliation of the books.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "core/auth/principal.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/db/sqlstate.hpp"
#include "core/error.hpp"
#include "core/invariant.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/wallet/store.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::wallet {
namespace {

using boost::asio::awaitable;

constexpr std::string_view k_entity = "wallet";

// Each transaction's entries must sum to zero per currency: money moves, it is never made or
// lost. Overflow is checked (amounts near INT64_MAX must not wrap into a "balanced" total).
// Checked on what was written, so a caller's mistake rolls back instead of committing.
void require_balanced(const std::vector<Entry>& entries) {
  std::map<std::pair<Uuid, std::string>, std::int64_t> totals;
  for (const auto& entry : entries) {
    auto& total = totals[{entry.transaction_id, entry.currency}];
    const auto signed_amount = entry.direction == "CREDIT" ? entry.amount : -entry.amount;
    if (__builtin_add_overflow(total, signed_amount, &total))
      throw validation_failed("amount", "is too large");
  }
  for (const auto& leg_total : totals)
    PAYROLLX_INVARIANT(leg_total.second == 0, "a transaction's wallet legs do not sum to zero");
}

std::vector<Wallet> wallets_of(const db::Result& result) {
  std::vector<Wallet> wallets;
  wallets.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) wallets.push_back(store::wallet_of(row));
  return wallets;
}

Wallet one_wallet(const db::Result& result) {
  auto row = result.first();
  if (!row) throw not_found("The wallet does not exist.");
  return store::wallet_of(*row);
}

std::vector<Entry> entries_of_result(const db::Result& result) {
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) entries.push_back(store::entry_of(row));
  return entries;
}

Mismatch mismatch_of(const db::Row& row) {
  auto kind = row.get<std::string>("kind");
  auto expected = row.get<std::int64_t>("expected");
  auto actual = row.get<std::int64_t>("actual");
  std::string detail;
  if (kind == "balance_mismatch")
    detail = fmt::format("balance {} but its entries sum to {}", actual, expected);
  else if (kind == "balance_after_mismatch")
    detail =
        fmt::format("an entry says balance {} where its predecessors give {}", actual, expected);
  else if (kind == "held_mismatch")
    detail = fmt::format("held {} but its active holds sum to {}", actual, expected);
  else if (kind == "unbalanced_transaction")
    detail = fmt::format("its entries sum to {} instead of zero", actual);
  else
    detail = fmt::format("the currency's balances sum to {} instead of zero", actual);
  return {.kind = std::move(kind),
          .wallet_id = row.get<std::optional<Uuid>>("wallet_id"),
          .transaction_id = row.get<std::optional<Uuid>>("transaction_id"),
          .detail = std::move(detail)};
}

}  // namespace

boost::json::object to_json(const Wallet& wallet) {
  return {{"id", wallet.id.str()},
          {"ownerType", to_string(wallet.owner_type)},
          {"ownerId", wallet.owner_id.str()},
          {"currency", wallet.currency},
          {"balance", wallet.balance},
          {"held", wallet.held},
          {"available", wallet.available()},
          {"status", to_string(wallet.status)},
          {"createdAt", to_rfc3339(wallet.created_at)}};
}

boost::json::object to_json(const Entry& entry) {
  return {{"id", entry.id.str()},
          {"walletId", entry.wallet_id.str()},
          {"transactionId", entry.transaction_id.str()},
          {"direction", entry.direction},
          {"amount", entry.amount},
          {"balanceAfter", entry.balance_after},
          {"currency", entry.currency},
          {"createdAt", to_rfc3339(entry.created_at)}};
}

Service::Service(db::Pool& pool, compliance::AuditLog& audit) : pool_(pool), audit_(audit) {}

awaitable<std::optional<Uuid>> Service::employee_of(const Principal& caller) {
  if (!directory_) throw std::logic_error("wallet::Service has no employee directory");
  co_return co_await directory_->employee_of_user(caller.org(), caller.user_id);
}

awaitable<bool> Service::has_employee(const Uuid& organization_id, const Uuid& employee_id) {
  if (!directory_) throw std::logic_error("wallet::Service has no employee directory");
  co_return co_await directory_->has_employee(organization_id, employee_id);
}

awaitable<std::optional<Uuid>> Service::user_of(db::Session& session, const Wallet& wallet) {
  if (wallet.owner_type != OwnerType::employee || !directory_) co_return std::nullopt;
  co_return co_await directory_->user_of_employee(session, wallet.organization_id, wallet.owner_id);
}

awaitable<Wallet> Service::open(db::Tx& tx, const Uuid& organization_id, const NewWallet& wallet,
                                const compliance::Actor& actor) {
  const std::vector<NewWallet> one{wallet};
  auto opened = co_await open_many(tx, organization_id, one, actor);
  co_return std::move(opened.front());
}

awaitable<std::vector<Wallet>> Service::open_many(db::Tx& tx, const Uuid& organization_id,
                                                  const std::vector<NewWallet>& wallets,
                                                  const compliance::Actor& actor) {
  std::vector<Uuid> ids, owner_ids;
  std::vector<std::string> owner_types, currencies;
  for (const auto& wallet : wallets) {
    ids.push_back(Uuid::random());
    owner_types.emplace_back(to_string(wallet.owner_type));
    owner_ids.push_back(wallet.owner_id);
    currencies.push_back(wallet.currency);
  }
  std::optional<db::Result> inserted;
  try {
    inserted.emplace(co_await tx.query(store::k_insert_many, organization_id, ids, owner_types,
                                       owner_ids, currencies));
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw conflict("The owner already has a wallet in this currency.");
    if (e.is_foreign_key_violation())
      throw validation_failed("currency", "is not a known currency");
    throw;
  }
  auto opened = wallets_of(*inserted);
  // One before-commit hook for all of them: an import opens thousands at once.
  std::vector<compliance::AuditEntry> entries;
  entries.reserve(opened.size());
  for (const auto& wallet : opened)
    entries.push_back({.organization_id = organization_id,
                       .actor = actor,
                       .action = "wallet.opened",
                       .entity_type = std::string(k_entity),
                       .entity_id = wallet.id,
                       .before = nullptr,
                       .after = to_json(wallet)});
  co_await audit_.append_many(tx, std::move(entries));
  co_return opened;
}

awaitable<Wallet> Service::get(db::Session& session, const Uuid& organization_id,
                               const Uuid& wallet_id) {
  co_return one_wallet(co_await session.query(store::k_select, organization_id, wallet_id));
}

awaitable<Wallet> Service::get(const Uuid& organization_id, const Uuid& wallet_id) {
  co_return one_wallet(co_await pool_.query(store::k_select, organization_id, wallet_id));
}

awaitable<std::optional<Wallet>> Service::find(db::Session& session, const Uuid& organization_id,
                                               OwnerType owner_type, const Uuid& owner_id,
                                               const std::string& currency) {
  auto result = co_await session.query(store::k_select_by_owner, organization_id,
                                       to_string(owner_type), owner_id, currency);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return store::wallet_of(*row);
}

awaitable<Wallet> Service::external(db::Tx& tx, const Uuid& organization_id,
                                    const std::string& currency) {
  auto result =
      co_await tx.query(store::k_open_external, Uuid::random(), organization_id, currency);
  co_return store::wallet_of(result.one());
}

awaitable<std::vector<Wallet>> Service::lock(db::Tx& tx, const Uuid& organization_id,
                                             std::vector<Uuid> wallet_ids) {
  auto result = co_await tx.query(store::k_lock, organization_id, wallet_ids);
  std::map<Uuid, Wallet> locked;
  for (auto row : result) {
    auto wallet = store::wallet_of(row);
    locked.emplace(wallet.id, std::move(wallet));
  }
  std::vector<Wallet> ordered;
  ordered.reserve(wallet_ids.size());
  for (const auto& id : wallet_ids) {
    auto found = locked.find(id);
    if (found == locked.end()) throw not_found("The wallet does not exist.");
    ordered.push_back(found->second);
  }
  co_return ordered;
}

awaitable<void> Service::lock_all(db::Tx& tx, const Uuid& organization_id,
                                  const std::vector<Uuid>& wallet_ids) {
  const std::set<Uuid> distinct(wallet_ids.begin(), wallet_ids.end());
  auto result = co_await tx.query(store::k_lock_all, organization_id, wallet_ids);
  if (result.one().get<std::int64_t>("locked") != static_cast<std::int64_t>(distinct.size()))
    throw not_found("The wallet does not exist.");
}

awaitable<std::vector<Entry>> Service::post(db::Tx& tx, const Uuid& organization_id,
                                            const std::vector<Leg>& legs) {
  auto posting = co_await try_post(tx, organization_id, legs);
  if (!posting.shortages.empty()) {
    const auto& first = posting.shortages.front();
    throw insufficient_funds(first.required, first.available);
  }
  co_return std::move(posting.entries);
}

awaitable<Service::Posting> Service::try_post(db::Tx& tx, const Uuid& organization_id,
                                              const std::vector<Leg>& legs, bool answer_entries) {
  std::vector<Uuid> transaction_ids, wallet_ids, entry_ids;
  std::vector<std::int64_t> amounts;
  transaction_ids.reserve(legs.size());
  wallet_ids.reserve(legs.size());
  entry_ids.reserve(legs.size());
  amounts.reserve(legs.size());
  for (const auto& leg : legs) {
    transaction_ids.push_back(leg.transaction_id);
    wallet_ids.push_back(leg.wallet_id);
    amounts.push_back(leg.amount);
    entry_ids.push_back(Uuid::random());
  }
  std::optional<db::Result> posted;
  try {
    posted.emplace(co_await tx.query(store::k_post, organization_id, transaction_ids, wallet_ids,
                                     amounts, entry_ids, answer_entries));
  } catch (const db::Error& e) {
    // A balance beyond bigint: refused, never wrapped (PostgreSQL checks the arithmetic).
    if (e.sqlstate() == db::sqlstate::k_numeric_value_out_of_range)
      throw conflict("The movement would take a balance beyond the largest amount a wallet holds.");
    throw;
  }
  Posting posting;
  posting.entries.reserve(legs.size());
  for (auto row : *posted) {
    if (row.get<std::string>("kind") == "short")
      posting.shortages.push_back({.wallet_id = row.get<Uuid>("wallet_id"),
                                   .required = row.get<std::int64_t>("required"),
                                   .available = row.get<std::int64_t>("available")});
    else
      posting.entries.push_back(store::entry_of(row));
  }
  if (!posting.shortages.empty() || !answer_entries) co_return posting;
  if (posting.entries.size() != legs.size()) throw not_found("The wallet does not exist.");
  require_balanced(posting.entries);
  co_return posting;
}

awaitable<void> Service::hold(db::Tx& tx, const Uuid& organization_id, const Uuid& wallet_id,
                              const Uuid& reference, std::int64_t amount) {
  auto placed = co_await tx.query(store::k_hold, organization_id, wallet_id, Uuid::random(),
                                  reference, amount);
  if (!placed.empty()) co_return;
  auto wallet = co_await get(tx, organization_id, wallet_id);
  throw insufficient_funds(amount, wallet.available());
}

awaitable<std::int64_t> Service::release(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& reference) {
  auto result = co_await tx.query(store::k_release, organization_id, reference);
  auto row = result.first();
  if (!row) throw invalid_state("There is no money held for this.");
  co_return row->get<std::int64_t>("amount");
}

awaitable<std::vector<Wallet>> Service::list(const Uuid& organization_id,
                                             const std::optional<Uuid>& employee_id,
                                             const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  auto result = co_await pool_.query(store::k_select_page, organization_id, employee_id,
                                     after_created_at, after_id, page.limit + 1);
  co_return wallets_of(result);
}

awaitable<std::vector<Entry>> Service::statement(const Uuid& organization_id, const Uuid& wallet_id,
                                                 const std::optional<Uuid>& after, int limit) {
  auto result =
      co_await pool_.query(store::k_select_entries, organization_id, wallet_id, after, limit + 1);
  co_return entries_of_result(result);
}

awaitable<std::vector<Entry>> Service::entries_of(db::Session& session, const Uuid& organization_id,
                                                  const std::vector<Uuid>& transaction_ids) {
  auto result =
      co_await session.query(store::k_select_entries_of, organization_id, transaction_ids);
  co_return entries_of_result(result);
}

awaitable<Books> Service::reconcile(db::Session& session, const Uuid& organization_id) {
  Books books;
  auto count = co_await session.query(store::k_count, organization_id);
  books.wallets = count.one().get<std::int64_t>("wallets");
  auto mismatches = co_await session.query(store::k_mismatches, organization_id);
  for (auto row : mismatches) books.mismatches.push_back(mismatch_of(row));
  auto credited = co_await session.query(store::k_credited, organization_id);
  for (auto row : credited)
    books.credited_by_transaction.emplace_back(row.get<Uuid>("transaction_id"),
                                               row.get<std::int64_t>("credited"));
  auto holds = co_await session.query(store::k_active_holds, organization_id);
  for (auto row : holds)
    books.active_holds.emplace_back(row.get<Uuid>("reference"), row.get<std::int64_t>("amount"));
  co_return books;
}

}  // namespace payrollx::wallet
