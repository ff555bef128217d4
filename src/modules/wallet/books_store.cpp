// The reconciliation's reads: the rules of the books the database checks, and what the
// transaction module compares with its own rows.
#include "core/db/pool.hpp"
#include "modules/wallet/store.hpp"

namespace payrollx::wallet::store {
namespace {

using boost::asio::awaitable;

// Every broken rule of an organisation's books, one row each: kind, wallet_id, transaction_id,
// expected, actual. $1 organization_id.
constexpr db::Query k_mismatches{
    "wallet.mismatches",
    "WITH signed AS ("
    "  SELECT e.*, CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END AS delta"
    "  FROM wallet.entries e WHERE e.organization_id = $1"
    ") "
    "SELECT 'balance_mismatch' AS kind, w.id AS wallet_id, NULL::uuid AS transaction_id,"
    "  coalesce(sum(s.delta), 0)::bigint AS expected, w.balance AS actual "
    "FROM wallet.wallets w LEFT JOIN signed s ON s.wallet_id = w.id "
    "WHERE w.organization_id = $1 GROUP BY w.organization_id, w.id "
    "HAVING w.balance <> coalesce(sum(s.delta), 0) "
    "UNION ALL "
    "SELECT 'balance_after_mismatch', wallet_id, transaction_id, expected, balance_after FROM ("
    "  SELECT wallet_id, transaction_id, balance_after,"
    "    coalesce(lag(balance_after) OVER (PARTITION BY wallet_id ORDER BY seq), 0) + delta"
    "      AS expected"
    "  FROM signed) running WHERE balance_after <> expected "
    "UNION ALL "
    "SELECT 'held_mismatch', w.id, NULL, coalesce(sum(h.amount), 0)::bigint, w.held "
    "FROM wallet.wallets w LEFT JOIN wallet.holds h"
    "  ON h.organization_id = w.organization_id AND h.wallet_id = w.id AND h.status = 'ACTIVE' "
    "WHERE w.organization_id = $1 GROUP BY w.organization_id, w.id HAVING w.held <> "
    "coalesce(sum(h.amount), 0) "
    "UNION ALL "
    "SELECT 'unbalanced_transaction', NULL, transaction_id, 0, sum(delta)::bigint FROM signed "
    "GROUP BY transaction_id, currency HAVING sum(delta) <> 0 "
    "UNION ALL "
    "SELECT 'currency_not_zero', NULL, NULL, 0, sum(balance)::bigint FROM wallet.wallets "
    "WHERE organization_id = $1 GROUP BY currency HAVING sum(balance) <> 0"};

// Per transaction, the amount its entries credited. $1 organization_id.
constexpr db::Query k_credited{
    "wallet.credited",
    "SELECT transaction_id, sum(amount)::bigint AS credited FROM wallet.entries "
    "WHERE organization_id = $1 AND direction = 'CREDIT' GROUP BY transaction_id"};

// The active holds: reference and amount. $1 organization_id.
constexpr db::Query k_active_holds{"wallet.active_holds",
                                   "SELECT reference, amount FROM wallet.holds "
                                   "WHERE organization_id = $1 AND status = 'ACTIVE'"};

// $1 organization_id.
constexpr db::Query k_count{"wallet.count",
                            "SELECT count(*) AS wallets FROM wallet.wallets "
                            "WHERE organization_id = $1"};

// Rows of (a uuid column, an amount column).
std::vector<std::pair<Uuid, std::int64_t>> amounts_by_id(const db::Result& result,
                                                         std::string_view id_column,
                                                         std::string_view amount_column) {
  std::vector<std::pair<Uuid, std::int64_t>> amounts;
  amounts.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    amounts.emplace_back(row.get<Uuid>(id_column), row.get<std::int64_t>(amount_column));
  return amounts;
}

}  // namespace

awaitable<std::vector<BrokenRule>> select_broken_rules(db::Session& session,
                                                       const Uuid& organization_id) {
  auto result = co_await session.query(k_mismatches, organization_id);
  std::vector<BrokenRule> rules;
  rules.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    rules.push_back({.kind = row.get<std::string>("kind"),
                     .wallet_id = row.get<std::optional<Uuid>>("wallet_id"),
                     .transaction_id = row.get<std::optional<Uuid>>("transaction_id"),
                     .expected = row.get<std::int64_t>("expected"),
                     .actual = row.get<std::int64_t>("actual")});
  co_return rules;
}

awaitable<std::int64_t> count(db::Session& session, const Uuid& organization_id) {
  auto result = co_await session.query(k_count, organization_id);
  co_return result.one().get<std::int64_t>("wallets");
}

awaitable<std::vector<std::pair<Uuid, std::int64_t>>> select_credited(db::Session& session,
                                                                      const Uuid& organization_id) {
  auto result = co_await session.query(k_credited, organization_id);
  co_return amounts_by_id(result, "transaction_id", "credited");
}

awaitable<std::vector<std::pair<Uuid, std::int64_t>>> select_active_holds(
    db::Session& session, const Uuid& organization_id) {
  auto result = co_await session.query(k_active_holds, organization_id);
  co_return amounts_by_id(result, "reference", "amount");
}

}  // namespace payrollx::wallet::store
