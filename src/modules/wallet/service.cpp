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

Wallet found_wallet(std::optional<Wallet> wallet) {
  if (!wallet) throw not_found("The wallet does not exist.");
  return std::move(*wallet);
}

// A broken rule, told in words.
Mismatch mismatch_of(store::BrokenRule rule) {
  const auto& kind = rule.kind;
  const auto expected = rule.expected;
  const auto actual = rule.actual;
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
  return {.kind = std::move(rule.kind),
          .wallet_id = rule.wallet_id,
          .transaction_id = rule.transaction_id,
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
  std::vector<Wallet> opened;
  try {
    opened = co_await store::insert_many(tx, organization_id, wallets);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw conflict("The owner already has a wallet in this currency.");
    if (e.is_foreign_key_violation())
      throw validation_failed("currency", "is not a known currency");
    throw;
  }
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
  auto wallet = co_await store::select(session, organization_id, wallet_id);
  co_return found_wallet(std::move(wallet));
}

awaitable<Wallet> Service::get(const Uuid& organization_id, const Uuid& wallet_id) {
  auto wallet = co_await store::select(pool_, organization_id, wallet_id);
  co_return found_wallet(std::move(wallet));
}

awaitable<std::optional<Wallet>> Service::find(db::Session& session, const Uuid& organization_id,
                                               OwnerType owner_type, const Uuid& owner_id,
                                               const std::string& currency) {
  co_return co_await store::select_by_owner(session, organization_id, owner_type, owner_id,
                                            currency);
}

awaitable<Wallet> Service::external(db::Tx& tx, const Uuid& organization_id,
                                    const std::string& currency) {
  co_return co_await store::open_external(tx, organization_id, currency);
}

awaitable<std::vector<Wallet>> Service::lock(db::Tx& tx, const Uuid& organization_id,
                                             std::vector<Uuid> wallet_ids) {
  auto found = co_await store::lock(tx, organization_id, wallet_ids);
  std::map<Uuid, Wallet> locked;
  for (auto& wallet : found) {
    const auto id = wallet.id;
    locked.emplace(id, std::move(wallet));
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
  const auto locked = co_await store::lock_all(tx, organization_id, wallet_ids);
  if (locked != static_cast<std::int64_t>(distinct.size()))
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
  Posting posting;
  try {
    posting = co_await store::post(tx, organization_id, legs, answer_entries);
  } catch (const db::Error& e) {
    // A balance beyond bigint: refused, never wrapped (PostgreSQL checks the arithmetic).
    if (e.sqlstate() == db::sqlstate::k_numeric_value_out_of_range)
      throw conflict("The movement would take a balance beyond the largest amount a wallet holds.");
    throw;
  }
  if (!posting.shortages.empty() || !answer_entries) co_return posting;
  if (posting.entries.size() != legs.size()) throw not_found("The wallet does not exist.");
  require_balanced(posting.entries);
  co_return posting;
}

awaitable<void> Service::hold(db::Tx& tx, const Uuid& organization_id, const Uuid& wallet_id,
                              const Uuid& reference, std::int64_t amount) {
  const bool placed = co_await store::hold(tx, organization_id, wallet_id, reference, amount);
  if (placed) co_return;
  auto wallet = co_await get(tx, organization_id, wallet_id);
  throw insufficient_funds(amount, wallet.available());
}

awaitable<std::int64_t> Service::release(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& reference) {
  const auto amount = co_await store::release(tx, organization_id, reference);
  if (!amount) throw invalid_state("There is no money held for this.");
  co_return *amount;
}

awaitable<std::vector<Wallet>> Service::list(const Uuid& organization_id,
                                             const std::optional<Uuid>& employee_id,
                                             const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  co_return co_await store::select_page(pool_, organization_id, employee_id, after_created_at,
                                        after_id, page.limit + 1);
}

awaitable<std::vector<Entry>> Service::statement(const Uuid& organization_id, const Uuid& wallet_id,
                                                 const std::optional<Uuid>& after, int limit) {
  co_return co_await store::select_entries(pool_, organization_id, wallet_id, after, limit + 1);
}

awaitable<std::vector<Entry>> Service::entries_of(db::Session& session, const Uuid& organization_id,
                                                  const std::vector<Uuid>& transaction_ids) {
  co_return co_await store::select_entries_of(session, organization_id, transaction_ids);
}

awaitable<Books> Service::reconcile(db::Session& session, const Uuid& organization_id) {
  Books books;
  books.wallets = co_await store::count(session, organization_id);
  auto broken = co_await store::select_broken_rules(session, organization_id);
  for (auto& rule : broken) books.mismatches.push_back(mismatch_of(std::move(rule)));
  books.credited_by_transaction = co_await store::select_credited(session, organization_id);
  books.active_holds = co_await store::select_active_holds(session, organization_id);
  co_return books;
}

}  // namespace payrollx::wallet
