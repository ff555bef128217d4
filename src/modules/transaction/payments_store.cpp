// A payroll run's payments as sets: whatever the number of employees, writing the run's
// transactions, their compensations or the marks of reversal is one statement.
#include "core/db/pool.hpp"
#include "modules/transaction/store.hpp"

namespace payrollx::transaction::store {
namespace {

using boost::asio::awaitable;

// A payroll run's payments. Each is created COMPLETED and never changes status (its reversal is a
// transaction of its own), so its history is its creation alone, which the row says: status,
// created_by, created_at (select_history answers it from there). A history line per payment
// would repeat the row: 10,000 rows more, with their foreign-key checks, for a run of 10,000.
// $1 organization_id, $2 run id, $3 currency, $4 treasury wallet, $5 id[], $6 employee wallet[],
// $7 amount[], $8 created_by. The arrays are unnested side by side in the select list, streamed
// rather than first copied into tuplestores (payroll.insert_items says why).
constexpr db::Query k_insert_payments{
    "transaction.insert_payments",
    "INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,"
    "  from_wallet_id, to_wallet_id, payroll_run_id, created_by, completed_at) "
    "SELECT unnest($5::uuid[]), $1, 'PAYROLL', 'COMPLETED', unnest($7::bigint[]), $3, $4,"
    "  unnest($6::uuid[]), $2, $8, now()"};

// A reversed run's compensations and their first history lines. $1 organization_id, $2 run id,
// $3 currency, $4 treasury wallet, $5 id[], $6 employee wallet[], $7 amount[], $8 original id[],
// $9 reason, $10 created_by.
constexpr db::Query k_insert_payment_reversals{
    "transaction.insert_payment_reversals",
    "WITH created AS ("
    "  INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,"
    "    from_wallet_id, to_wallet_id, payroll_run_id, notes, reversal_of, created_by,"
    "    completed_at)"
    "  SELECT id, $1, 'REVERSAL', 'COMPLETED', amount, $3, wallet_id, $4, $2, $9, original_id,"
    "    $10, now()"
    "  FROM unnest($5::uuid[], $6::uuid[], $7::bigint[], $8::uuid[])"
    "    AS r(id, wallet_id, amount, original_id)"
    "  RETURNING id, organization_id, status, created_by"
    ") INSERT INTO transaction.transaction_logs (organization_id, transaction_id, to_status,"
    "    reason, actor_id) SELECT organization_id, id, status, $9, created_by FROM created"};

// Marks a run's payments reversed; only completed, unreversed PAYROLL transactions of the run.
// $1 organization_id, $2 run id, $3 original id[], $4 reversal id[] → rows marked.
constexpr db::Query k_mark_payments_reversed{
    "transaction.mark_payments_reversed",
    "UPDATE transaction.transactions t SET reversed_by = r.reversal_id, updated_at = now() "
    "FROM unnest($3::uuid[], $4::uuid[]) AS r(original_id, reversal_id) "
    "WHERE t.id = r.original_id AND t.organization_id = $1 AND t.payroll_run_id = $2"
    "  AND t.type = 'PAYROLL' AND t.status = 'COMPLETED' AND t.reversed_by IS NULL"};

}  // namespace

awaitable<void> insert_payments(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                const std::string& currency, const Uuid& treasury_wallet_id,
                                const std::vector<Payment>& payments,
                                const std::optional<Uuid>& created_by) {
  std::vector<Uuid> ids, wallet_ids;
  std::vector<std::int64_t> amounts;
  ids.reserve(payments.size());
  wallet_ids.reserve(payments.size());
  amounts.reserve(payments.size());
  for (const auto& payment : payments) {
    ids.push_back(payment.transaction_id);
    wallet_ids.push_back(payment.wallet_id);
    amounts.push_back(payment.amount);
  }
  co_await tx.query(k_insert_payments, organization_id, run_id, currency, treasury_wallet_id, ids,
                    wallet_ids, amounts, created_by);
}

awaitable<void> insert_payment_reversals(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& run_id, const std::string& currency,
                                         const Uuid& treasury_wallet_id,
                                         const std::vector<PaymentReversal>& reversals,
                                         const std::string& reason,
                                         const std::optional<Uuid>& created_by) {
  std::vector<Uuid> ids, wallet_ids, originals;
  std::vector<std::int64_t> amounts;
  for (const auto& reversal : reversals) {
    ids.push_back(reversal.reversal_id);
    wallet_ids.push_back(reversal.wallet_id);
    originals.push_back(reversal.original_id);
    amounts.push_back(reversal.amount);
  }
  co_await tx.query(k_insert_payment_reversals, organization_id, run_id, currency,
                    treasury_wallet_id, ids, wallet_ids, amounts, originals, reason, created_by);
}

awaitable<std::int64_t> mark_payments_reversed(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& run_id,
                                               const std::vector<PaymentReversal>& reversals) {
  std::vector<Uuid> originals, ids;
  for (const auto& reversal : reversals) {
    originals.push_back(reversal.original_id);
    ids.push_back(reversal.reversal_id);
  }
  auto marked =
      co_await tx.query(k_mark_payments_reversed, organization_id, run_id, originals, ids);
  co_return marked.affected();
}

}  // namespace payrollx::transaction::store
