// Reading transactions, their history, and the reconciliation of the organisation's books.
#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <map>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/transaction/settlement_store.hpp"
#include "modules/transaction/store.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::transaction {
namespace {

using boost::asio::awaitable;

boost::json::value uuid_or_null(const std::optional<Uuid>& id) {
  if (!id) return nullptr;
  return boost::json::value(id->str());
}

boost::json::object mismatch_json(const wallet::Mismatch& mismatch) {
  return {{"kind", mismatch.kind},
          {"walletId", uuid_or_null(mismatch.wallet_id)},
          {"transactionId", uuid_or_null(mismatch.transaction_id)},
          {"detail", mismatch.detail}};
}

wallet::Mismatch transaction_mismatch(std::string kind, const Uuid& id, std::string detail) {
  return {.kind = std::move(kind),
          .wallet_id = std::nullopt,
          .transaction_id = id,
          .detail = std::move(detail)};
}

// A PENDING withdrawal holds exactly its amount; nothing else a transaction did holds money
// (payroll runs hold too, under their run's id, which is no transaction's).
void check_holds(const Uuid& id, Type type, Status status, std::int64_t amount,
                 std::map<Uuid, std::int64_t>& holds, std::vector<wallet::Mismatch>& mismatches) {
  auto found = holds.find(id);
  const std::int64_t held = found == holds.end() ? 0 : found->second;
  if (found != holds.end()) holds.erase(found);
  const bool holding = type == Type::withdrawal && status == Status::pending;
  if (held != (holding ? amount : 0))
    mismatches.push_back(transaction_mismatch(
        "hold_mismatch", id,
        fmt::format("{} {} of {}: {} held", to_string(status), to_string(type), amount, held)));
}

// The transaction side of the books: a COMPLETED transaction's entries credit exactly its amount
// (a reversed one's too: its reversal is a transaction of its own); any other status has no
// entries, and neither has an imported one (its money moved on chain); no entry belongs to an
// unknown transaction; holds match pending withdrawals.
std::vector<wallet::Mismatch> transaction_mismatches(
    const std::vector<store::StoredAmount>& transactions, const wallet::Books& books) {
  std::map<Uuid, std::int64_t> credited(books.credited_by_transaction.begin(),
                                        books.credited_by_transaction.end());
  std::map<Uuid, std::int64_t> holds(books.active_holds.begin(), books.active_holds.end());
  std::vector<wallet::Mismatch> mismatches;
  for (const auto& [id, type, status, amount, source] : transactions) {
    const bool imported = source == Source::legacy;
    check_holds(id, type, status, amount, holds, mismatches);
    auto found = credited.find(id);
    const std::int64_t moved = found == credited.end() ? 0 : found->second;
    if (found != credited.end()) credited.erase(found);
    const std::int64_t expected = status == Status::completed && !imported ? amount : 0;
    if (moved != expected)
      mismatches.push_back(transaction_mismatch(
          "transaction_amount_mismatch", id,
          fmt::format("{} of {}: its entries credit {}", to_string(status), amount, moved)));
  }
  for (const auto& [id, amount] : credited)
    mismatches.push_back(
        transaction_mismatch("entries_without_transaction", id,
                             fmt::format("entries credit {} for no transaction", amount)));
  // What is left in `holds` belongs to no transaction: payroll runs' holds, which their module
  // checks.
  return mismatches;
}

}  // namespace

awaitable<std::vector<Transaction>> Service::list(const Uuid& organization_id, const Filter& filter,
                                                  const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  auto transactions = co_await store::select_page(pool_, organization_id, filter, after_created_at,
                                                  after_id, page.limit + 1);
  co_await settlement_store::attach(pool_, organization_id, transactions);
  co_return transactions;
}

awaitable<Transaction> Service::get(const Uuid& organization_id, const Uuid& transaction_id) {
  auto transaction = co_await store::select(pool_, organization_id, transaction_id);
  if (!transaction) throw not_found("The transaction does not exist.");
  std::vector<Transaction> found{std::move(*transaction)};
  co_await settlement_store::attach(pool_, organization_id, found);
  co_return found.front();
}

awaitable<std::vector<StatusChange>> Service::history(const Uuid& organization_id,
                                                      const Uuid& transaction_id) {
  co_return co_await store::select_history(pool_, organization_id, transaction_id);
}

awaitable<boost::json::object> Service::reconcile(const Uuid& organization_id) {
  auto check = [&](db::Tx& tx) -> awaitable<boost::json::object> {
    auto books = co_await wallets_.reconcile(tx, organization_id);
    auto transactions = co_await store::select_amounts(tx, organization_id);
    auto mismatches = books.mismatches;
    for (auto& mismatch : transaction_mismatches(transactions, books))
      mismatches.push_back(std::move(mismatch));
    boost::json::array listed;
    for (const auto& mismatch : mismatches) listed.push_back(mismatch_json(mismatch));
    co_return boost::json::object{{"ok", mismatches.empty()},
                                  {"wallets", books.wallets},
                                  {"transactions", static_cast<std::int64_t>(transactions.size())},
                                  {"mismatches", std::move(listed)}};
  };
  // One snapshot: money moving meanwhile is either wholly seen or not at all.
  db::TxOptions options;
  options.isolation = db::Isolation::repeatable_read;
  options.read_only = true;
  co_return co_await pool_.transaction(check, options);
}

}  // namespace payrollx::transaction
