// The ledger: posting legs (balances and entries in one statement) and reading entries back.
#include <optional>

#include "core/db/pool.hpp"
#include "modules/wallet/store.hpp"

namespace payrollx::wallet::store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_ENTRY_COLUMNS \
  "id, wallet_id, transaction_id, direction, amount, balance_after, currency, created_at"

// Applies legs, or nothing when a non-external wallet would go below its held amount. Answers
// rows of kind 'short' (wallet_id, available, required: nothing changed) or 'entry' (the
// entries, in leg order). Each wallet's row is updated once, by the sum of its legs; each entry's
// balance_after is the balance before the statement plus its wallet's legs up to it, so several
// legs on one wallet (a payroll's treasury debits) carry running balances. Only a wallet whose
// legs take money can fall short (held <= balance holds before: a CHECK), so only those are
// compared with their available amount: a payroll's treasury, not its 100,000 payees. LEGS
// makes the legs (transaction_id, wallet_id, amount, entry_id, position), WALLETS names their
// wallets, ANSWER is the parameter that says whether to answer the entries.
#define PAYROLLX_POST(LEGS, WALLETS, ANSWER)                                                 \
  "WITH legs AS (" LEGS                                                                      \
  "), totals AS ("                                                                           \
  "  SELECT wallet_id, sum(amount)::bigint AS total FROM legs GROUP BY wallet_id"            \
  "), short AS ("                                                                            \
  "  SELECT w.id, w.balance - w.held AS available, -t.total AS required"                     \
  "  FROM wallet.wallets w JOIN totals t ON t.wallet_id = w.id"                              \
  "  WHERE t.total < 0 AND w.organization_id = $1 AND w.owner_type <> 'EXTERNAL'"            \
  "    AND w.balance - w.held + t.total < 0"                                                 \
  "), moved AS ("                                                                            \
  "  UPDATE wallet.wallets w SET balance = w.balance + t.total, updated_at = now()"          \
  "  FROM totals t WHERE w.organization_id = $1 AND w.id " WALLETS                           \
  "    AND w.id = t.wallet_id"                                                               \
  "    AND NOT EXISTS (SELECT 1 FROM short)"                                                 \
  "  RETURNING w.id, w.balance - t.total AS opening, w.currency"                             \
  "), entries AS ("                                                                          \
  "  INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction," \
  "    amount, balance_after, currency)"                                                     \
  "  SELECT l.entry_id, $1, l.wallet_id, l.transaction_id,"                                  \
  "    CASE WHEN l.amount < 0 THEN 'DEBIT' ELSE 'CREDIT' END, abs(l.amount),"                \
  "    m.opening + sum(l.amount) OVER (PARTITION BY l.wallet_id ORDER BY l.position),"       \
  "    m.currency"                                                                           \
  "  FROM legs l JOIN moved m ON m.id = l.wallet_id ORDER BY l.position"                     \
  "  RETURNING " PAYROLLX_ENTRY_COLUMNS                                                      \
  ") SELECT 'short' AS kind, id AS wallet_id, available, required, NULL::uuid AS id,"        \
  "  NULL::uuid AS transaction_id, NULL AS direction, NULL::bigint AS amount,"               \
  "  NULL::bigint AS balance_after, NULL AS currency, NULL::timestamptz AS created_at "      \
  "FROM short UNION ALL "                                                                    \
  "SELECT 'entry', wallet_id, NULL, NULL, id, transaction_id, direction, amount,"            \
  "  balance_after, currency, created_at FROM entries WHERE " ANSWER

// Any number of legs. $1 organization_id, $2 transaction_id[], $3 wallet_id[], $4 amount[]
// (signed), $5 entry id[], $6 whether to answer the entries (a payroll run's hundreds of
// thousands are not read back). The arrays are unnested side by side in the select list, streamed
// rather than first copied into tuplestores (payroll.insert_items says why).
constexpr db::Query k_post{
    "wallet.post",
    PAYROLLX_POST("  SELECT unnest($2::uuid[]) AS transaction_id, unnest($3::uuid[]) AS wallet_id,"
                  "    unnest($4::bigint[]) AS amount, unnest($5::uuid[]) AS entry_id,"
                  "    generate_series(1, cardinality($2::uuid[]))::bigint AS position",
                  "= ANY($3::uuid[])", "$6::boolean")};

// Two legs (a transfer, a deposit, a withdrawal's settlement, a reversal), as scalars: the
// planner knows their number, so the plan it makes once is the one it would make every time and
// is kept, where k_post, whose arrays a kept plan would guess at ten elements, was planned anew on
// every transfer (0.4-0.7 ms, as long as the work; docs/bench.md). $1 organization_id; per leg
// transaction_id, wallet_id, amount (signed), entry id: $2-$5 and $6-$9; $10 whether to answer.
constexpr db::Query k_post_pair{
    "wallet.post_pair",
    PAYROLLX_POST("  SELECT * FROM (VALUES ($2::uuid, $3::uuid, $4::bigint, $5::uuid, 1::bigint),"
                  "    ($6::uuid, $7::uuid, $8::bigint, $9::uuid, 2::bigint))"
                  "    AS l(transaction_id, wallet_id, amount, entry_id, position)",
                  "IN ($3::uuid, $7::uuid)", "$10::boolean")};

#undef PAYROLLX_POST

// A wallet's statement, newest first, after the entry $3 (the previous page's last) or from the
// newest when NULL. $1 organization_id, $2 wallet_id, $3 entry id or NULL, $4 limit.
constexpr db::Query k_select_entries{
    "wallet.select_entries",
    "SELECT " PAYROLLX_ENTRY_COLUMNS
    " FROM wallet.entries "
    "WHERE organization_id = $1 AND wallet_id = $2"
    "  AND ($3::uuid IS NULL OR seq < (SELECT seq FROM wallet.entries"
    "                                  WHERE organization_id = $1 AND id = $3 "
    "                                    AND wallet_id = $2)) "
    "ORDER BY seq DESC LIMIT $4"};

// The entries of some transactions, in the order they were written. $1 organization_id,
// $2 transaction_id[].
constexpr db::Query k_select_entries_of{
    "wallet.select_entries_of",
    "SELECT " PAYROLLX_ENTRY_COLUMNS
    " FROM wallet.entries "
    "WHERE organization_id = $1 AND transaction_id = ANY($2::uuid[]) ORDER BY seq"};

#undef PAYROLLX_ENTRY_COLUMNS

Entry entry_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .wallet_id = row.get<Uuid>("wallet_id"),
          .transaction_id = row.get<Uuid>("transaction_id"),
          .direction = row.get<std::string>("direction"),
          .amount = row.get<std::int64_t>("amount"),
          .balance_after = row.get<std::int64_t>("balance_after"),
          .currency = row.get<std::string>("currency"),
          .created_at = row.get<Timestamp>("created_at")};
}

std::vector<Entry> entries_from(const db::Result& result) {
  std::vector<Entry> entries;
  entries.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) entries.push_back(entry_from(row));
  return entries;
}

}  // namespace

awaitable<Service::Posting> post(db::Tx& tx, const Uuid& organization_id,
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
  std::optional<db::Result> answered;
  if (legs.size() == 2) {
    auto result = co_await tx.query(k_post_pair, organization_id, transaction_ids[0], wallet_ids[0],
                                    amounts[0], entry_ids[0], transaction_ids[1], wallet_ids[1],
                                    amounts[1], entry_ids[1], answer_entries);
    answered.emplace(std::move(result));
  } else {
    auto result = co_await tx.query(k_post, organization_id, transaction_ids, wallet_ids, amounts,
                                    entry_ids, answer_entries);
    answered.emplace(std::move(result));
  }
  const auto& posted = *answered;
  Service::Posting posting;
  posting.entries.reserve(legs.size());
  for (auto row : posted) {
    if (row.get<std::string>("kind") == "short")
      posting.shortages.push_back({.wallet_id = row.get<Uuid>("wallet_id"),
                                   .required = row.get<std::int64_t>("required"),
                                   .available = row.get<std::int64_t>("available")});
    else
      posting.entries.push_back(entry_from(row));
  }
  co_return posting;
}

awaitable<std::vector<Entry>> select_entries(db::Pool& pool, const Uuid& organization_id,
                                             const Uuid& wallet_id,
                                             const std::optional<Uuid>& after, int limit) {
  auto result = co_await pool.query(k_select_entries, organization_id, wallet_id, after, limit);
  co_return entries_from(result);
}

awaitable<std::vector<Entry>> select_entries_of(db::Session& session, const Uuid& organization_id,
                                                const std::vector<Uuid>& transaction_ids) {
  auto result = co_await session.query(k_select_entries_of, organization_id, transaction_ids);
  co_return entries_from(result);
}

}  // namespace payrollx::wallet::store
