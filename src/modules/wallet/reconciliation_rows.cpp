// The ledger reconciliation report's rows for the report maker: wallets by id, a page at a time,
// each with its entries summed around the period (one index range scan per wallet).
#include "core/db/pool.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::wallet {
namespace {

using boost::asio::awaitable;

// The period's bounds as instants: from 00:00 UTC of $2, to 00:00 UTC of the day after $3.
#define PAYROLLX_PERIOD_START "($2::date)::timestamp AT TIME ZONE 'UTC'"
#define PAYROLLX_PERIOD_END "($3::date + 1)::timestamp AT TIME ZONE 'UTC'"

// $1 organization_id, $2 to.
constexpr db::Query k_count{"wallet.count_reconciliation",
                            "SELECT count(*) AS n FROM wallet.wallets WHERE organization_id = $1"
                            "  AND created_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'"};

// $1 organization_id, $2 from, $3 to, $4 the previous page's last wallet or NULL, $5 limit.
// Sums beyond bigint fail the statement (22003) rather than wrap.
constexpr db::Query k_page{
    "wallet.reconciliation_page",
    "SELECT w.id, w.owner_type, w.owner_id, w.currency, w.balance, s.opening, s.credits,"
    "  s.debits, s.after_period "
    "FROM (SELECT id, owner_type, owner_id, currency, balance FROM wallet.wallets"
    "  WHERE organization_id = $1 AND created_at < " PAYROLLX_PERIOD_END
    "    AND ($4::uuid IS NULL OR id > $4::uuid)"
    "  ORDER BY id LIMIT $5) w "
    "CROSS JOIN LATERAL (SELECT"
    "  coalesce(sum(CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END)"
    "    FILTER (WHERE e.created_at < " PAYROLLX_PERIOD_START
    "), 0)::bigint AS opening,"
    "  coalesce(sum(e.amount) FILTER (WHERE e.direction = 'CREDIT' AND e.created_at "
    ">= " PAYROLLX_PERIOD_START " AND e.created_at < " PAYROLLX_PERIOD_END
    "), 0)::bigint AS credits,"
    "  coalesce(sum(e.amount) FILTER (WHERE e.direction = 'DEBIT' AND e.created_at "
    ">= " PAYROLLX_PERIOD_START " AND e.created_at < " PAYROLLX_PERIOD_END
    "), 0)::bigint AS debits,"
    "  coalesce(sum(CASE e.direction WHEN 'CREDIT' THEN e.amount ELSE -e.amount END)"
    "    FILTER (WHERE e.created_at >= " PAYROLLX_PERIOD_END
    "), 0)::bigint AS after_period"
    "  FROM wallet.entries e WHERE e.organization_id = $1 AND e.wallet_id = w.id) s "
    "ORDER BY w.id"};

#undef PAYROLLX_PERIOD_START
#undef PAYROLLX_PERIOD_END

// a - b, or std::overflow_error.
std::int64_t minus(std::int64_t a, std::int64_t b) {
  std::int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) throw std::overflow_error("wallet: balance overflow");
  return result;
}

std::int64_t plus(std::int64_t a, std::int64_t b) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) throw std::overflow_error("wallet: balance overflow");
  return result;
}

}  // namespace

awaitable<std::int64_t> Service::count_reconciliation(db::Session& session,
                                                      const Uuid& organization_id, Date to) {
  auto result = co_await session.query(k_count, organization_id, to);
  co_return result.one().get<std::int64_t>("n");
}

awaitable<std::vector<ReconciliationRow>> Service::reconciliation_page(
    db::Session& session, const Uuid& organization_id, Date from, Date to,
    const std::optional<Uuid>& after, int limit) {
  auto result = co_await session.query(k_page, organization_id, from, to, after, limit);
  std::vector<ReconciliationRow> rows;
  rows.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) {
    ReconciliationRow wallet{.wallet_id = row.get<Uuid>("id"),
                             .owner_type = row.get<std::string>("owner_type"),
                             .owner_id = row.get<Uuid>("owner_id"),
                             .currency = row.get<std::string>("currency"),
                             .opening = row.get<std::int64_t>("opening"),
                             .credits = row.get<std::int64_t>("credits"),
                             .debits = row.get<std::int64_t>("debits"),
                             .closing = 0,
                             .entries_balance = 0};
    wallet.closing = minus(row.get<std::int64_t>("balance"), row.get<std::int64_t>("after_period"));
    wallet.entries_balance = minus(plus(wallet.opening, wallet.credits), wallet.debits);
    rows.push_back(std::move(wallet));
  }
  co_return rows;
}

}  // namespace payrollx::wallet
