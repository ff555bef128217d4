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
std::vector<wallet::Mismatch> transaction_mismatches(const db::Result& transactions,
                                                     const wallet::Books& books) {
  std::map<Uuid, std::int64_t> credited(books.credited_by_transaction.begin(),
                                        books.credited_by_transaction.end());
  std::map<Uuid, std::int64_t> holds(books.active_holds.begin(), books.active_holds.end());
  std::vector<wallet::Mismatch> mismatches;
  for (auto row : transactions) {
    auto id = row.get<Uuid>("id");
    auto type = k_types.stored(row.get<std::string>("type"), "transaction.transactions.type");
    auto status =
        k_statuses.stored(row.get<std::string>("status"), "transaction.transactions.status");
    auto amount = row.get<std::int64_t>("amount");
    const bool imported = source_of(row.get<std::string>("source")) == Source::legacy;
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
  auto result = co_await pool_.query(store::k_select_page, organization_id, filter.visible_wallets,
                                     filter.wallet_id, filter.employee_wallets,
                                     filter.payroll_run_id, filter.type, filter.status, filter.from,
                                     filter.to, after_created_at, after_id, page.limit + 1);
  std::vector<Transaction> transactions;
  for (auto row : result) transactions.push_back(store::transaction_of(row));
  co_await settlement_store::attach(pool_, organization_id, transactions);
  co_return transactions;
}

awaitable<Transaction> Service::get(const Uuid& organization_id, const Uuid& transaction_id) {
  auto result = co_await pool_.query(store::k_select, organization_id, transaction_id);
  auto row = result.first();
  if (!row) throw not_found("The transaction does not exist.");
  std::vector<Transaction> found{store::transaction_of(*row)};
  co_await settlement_store::attach(pool_, organization_id, found);
  co_return found.front();
}

awaitable<std::vector<StatusChange>> Service::history(const Uuid& organization_id,
                                                      const Uuid& transaction_id) {
  auto result = co_await pool_.query(store::k_select_logs, organization_id, transaction_id);
  std::vector<StatusChange> changes;
  for (auto row : result)
    changes.push_back(
        {.from_status = k_statuses.stored(row.get<std::optional<std::string>>("from_status"),
                                          "transaction.transaction_logs.from_status"),
         .to_status = k_statuses.stored(row.get<std::string>("to_status"),
                                        "transaction.transaction_logs.to_status"),
         .reason = row.get<std::optional<std::string>>("reason"),
         .actor_id = row.get<std::optional<Uuid>>("actor_id"),
         .created_at = row.get<Timestamp>("created_at")});
  co_return changes;
}

awaitable<boost::json::object> Service::reconcile(const Uuid& organization_id) {
  auto check = [&](db::Tx& tx) -> awaitable<boost::json::object> {
    auto books = co_await wallets_.reconcile(tx, organization_id);
    auto transactions = co_await tx.query(store::k_select_amounts, organization_id);
    auto mismatches = books.mismatches;
    for (auto& mismatch : transaction_mismatches(transactions, books))
      mismatches.push_back(std::move(mismatch));
    boost::json::array listed;
    for (const auto& mismatch : mismatches) listed.push_back(mismatch_json(mismatch));
    co_return boost::json::object{{"ok", mismatches.empty()},
                                  {"wallets", books.wallets},
                                  {"transactions", transactions.size()},
                                  {"mismatches", std::move(listed)}};
  };
  // One snapshot: money moving meanwhile is either wholly seen or not at all.
  db::TxOptions options;
  options.isolation = db::Isolation::repeatable_read;
  options.read_only = true;
  co_return co_await pool_.transaction(check, options);
}

}  // namespace payrollx::transaction
