// Transactions one at a time (a flow's row, its status changes, its reversal) and the reads of
// them and of their history.
#include "modules/transaction/store.hpp"

#include <stdexcept>

#include "core/db/pool.hpp"

namespace payrollx::transaction {

// The text is the column's (transaction.transactions.source) and the API's.
std::string_view to_string(Source source) {
  return source == Source::legacy ? "LEGACY" : "PAYROLLX";
}

Source source_of(std::string_view text) {
  if (text == "PAYROLLX") return Source::payrollx;
  if (text == "LEGACY") return Source::legacy;
  throw std::logic_error("an unknown transaction source");
}

namespace store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_TRANSACTION_COLUMNS                                                   \
  "id, organization_id, type, status, amount, currency, from_wallet_id, to_wallet_id," \
  " payroll_run_id, reference, notes, destination_address, external_reference,"        \
  " failure_reason, reversal_of, reversed_by, created_by, created_at, updated_at,"     \
  " completed_at, source"

// A transaction. Its creation is not written to the history: the row says it (created_by,
// created_at, and the status it was created in, which the first logged change starts from), and
// select_logs answers it from there; a line per transfer would repeat the row, with an index
// entry and a foreign-key check more for every money request. Changes of status are logged.
// $1 id, $2 organization_id, $3 type, $4 status, $5 amount, $6 currency, $7 from_wallet_id,
// $8 to_wallet_id, $9 reference, $10 notes, $11 destination_address, $12 reversal_of,
// $13 created_by.
constexpr db::Query k_insert{
    "transaction.insert",
    "INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,"
    "  from_wallet_id, to_wallet_id, reference, notes, destination_address, reversal_of,"
    "  created_by, completed_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
    "  CASE WHEN $4 = 'COMPLETED' THEN now() END) "
    "RETURNING " PAYROLLX_TRANSACTION_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_lock{"transaction.lock",
                           "SELECT " PAYROLLX_TRANSACTION_COLUMNS
                           " FROM transaction.transactions "
                           "WHERE id = $2 AND organization_id = $1 FOR NO KEY UPDATE"};

// $1 organization_id, $2 id.
constexpr db::Query k_select{"transaction.select", "SELECT " PAYROLLX_TRANSACTION_COLUMNS
                                                   " FROM transaction.transactions "
                                                   "WHERE id = $2 AND organization_id = $1"};

// A status change and its history line. $1 organization_id, $2 id, $3 new status,
// $4 external_reference, $5 failure_reason, $6 reason (history), $7 actor_id.
constexpr db::Query k_change_status{
    "transaction.change_status",
    "WITH changed AS ("
    "  UPDATE transaction.transactions t SET status = $3,"
    "    external_reference = coalesce($4, t.external_reference),"
    "    failure_reason = coalesce($5, t.failure_reason), updated_at = now(),"
    "    completed_at = CASE WHEN $3 = 'COMPLETED' THEN now() ELSE t.completed_at END"
    "  FROM transaction.transactions old"
    "  WHERE t.id = $2 AND t.organization_id = $1 AND old.organization_id = $1"
    "    AND old.id = t.id"
    "  RETURNING old.status AS from_status, t.*"
    "), logged AS ("
    "  INSERT INTO transaction.transaction_logs (organization_id, transaction_id, from_status,"
    "    to_status, reason, actor_id) SELECT organization_id, id, from_status, status, $6, $7"
    "  FROM changed"
    ") SELECT " PAYROLLX_TRANSACTION_COLUMNS " FROM changed"};

// $1 organization_id, $2 id of the reversed transaction, $3 id of its reversal.
constexpr db::Query k_mark_reversed{
    "transaction.mark_reversed",
    "UPDATE transaction.transactions SET reversed_by = $3, updated_at = now() "
    "WHERE id = $2 AND organization_id = $1 AND reversed_by IS NULL "
    "RETURNING " PAYROLLX_TRANSACTION_COLUMNS};

// One page of the organisation's transactions, newest first. $1 organization_id,
// $2 wallet ids the caller may see or NULL (any), $3 wallet_id, $4 wallet ids of an employee,
// $5 payroll_run_id, $6 type, $7 status, $8 from, $9 to (created_at, inclusive),
// $10/$11 keyset or NULL, $12 limit.
constexpr db::Query k_select_page{
    "transaction.select_page",
    "SELECT " PAYROLLX_TRANSACTION_COLUMNS
    " FROM transaction.transactions "
    "WHERE organization_id = $1"
    "  AND ($2::uuid[] IS NULL OR from_wallet_id = ANY($2) OR to_wallet_id = ANY($2))"
    "  AND ($3::uuid IS NULL OR from_wallet_id = $3 OR to_wallet_id = $3)"
    "  AND ($4::uuid[] IS NULL OR from_wallet_id = ANY($4) OR to_wallet_id = ANY($4))"
    "  AND ($5::uuid IS NULL OR payroll_run_id = $5)"
    "  AND ($6::text IS NULL OR type = $6)"
    "  AND ($7::text IS NULL OR status = $7)"
    "  AND ($8::timestamptz IS NULL OR created_at >= $8)"
    "  AND ($9::timestamptz IS NULL OR created_at <= $9)"
    "  AND ($10::timestamptz IS NULL OR (created_at, id) < ($10::timestamptz, $11::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $12"};

// $1 organization_id, $2 transaction_id: the history, oldest first. Its first line, the
// creation, is the row's own when no log line says it (transactions created since
// transaction.insert and payroll payments stopped writing it: see k_insert and
// payments_store.cpp): created by created_by at created_at, in the state the first logged change
// left, or else in the row's status.
constexpr db::Query k_select_logs{
    "transaction.select_logs",
    "WITH logs AS ("
    "  SELECT id, from_status, to_status, reason, actor_id, created_at"
    "  FROM transaction.transaction_logs WHERE organization_id = $1 AND transaction_id = $2"
    ") SELECT from_status, to_status, reason, actor_id, created_at FROM ("
    "  SELECT 0 AS id, NULL AS from_status,"
    "    coalesce((SELECT from_status FROM logs ORDER BY id LIMIT 1), t.status) AS to_status,"
    "    NULL AS reason, t.created_by AS actor_id, t.created_at"
    "  FROM transaction.transactions t"
    "  WHERE t.organization_id = $1 AND t.id = $2"
    "    AND NOT EXISTS (SELECT 1 FROM logs WHERE from_status IS NULL)"
    "  UNION ALL SELECT * FROM logs"
    ") history ORDER BY id"};

// What reconciliation compares with the entries. $1 organization_id.
constexpr db::Query k_select_amounts{
    "transaction.select_amounts",
    "SELECT id, type, status, amount, source FROM transaction.transactions "
    "WHERE organization_id = $1"};

#undef PAYROLLX_TRANSACTION_COLUMNS

Transaction transaction_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .type = k_types.stored(row.get<std::string>("type"), "transaction.transactions.type"),
          .status =
              k_statuses.stored(row.get<std::string>("status"), "transaction.transactions.status"),
          .amount = row.get<std::int64_t>("amount"),
          .currency = row.get<std::string>("currency"),
          .from_wallet_id = row.get<Uuid>("from_wallet_id"),
          .to_wallet_id = row.get<Uuid>("to_wallet_id"),
          .payroll_run_id = row.get<std::optional<Uuid>>("payroll_run_id"),
          .reference = row.get<std::optional<std::string>>("reference"),
          .notes = row.get<std::optional<std::string>>("notes"),
          .destination_address = row.get<std::optional<std::string>>("destination_address"),
          .external_reference = row.get<std::optional<std::string>>("external_reference"),
          .failure_reason = row.get<std::optional<std::string>>("failure_reason"),
          .reversal_of = row.get<std::optional<Uuid>>("reversal_of"),
          .reversed_by = row.get<std::optional<Uuid>>("reversed_by"),
          .created_by = row.get<std::optional<Uuid>>("created_by"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at"),
          .completed_at = row.get<std::optional<Timestamp>>("completed_at"),
          .source = source_of(row.get<std::string>("source"))};
}

std::optional<Transaction> first_transaction(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return transaction_from(*row);
}

}  // namespace

db::Pending send_insert(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                        const NewTransaction& row, const std::optional<Uuid>& created_by) {
  return tx.send(k_insert, id, organization_id, row.type, row.status, row.amount, row.currency,
                 row.from_wallet_id, row.to_wallet_id, row.reference, row.notes,
                 row.destination_address, row.reversal_of, created_by);
}

awaitable<Transaction> inserted(db::Tx& tx, const db::Pending& insert) {
  auto result = co_await tx.answer(insert);
  co_return transaction_from(result.one());
}

awaitable<Transaction> insert(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                              const NewTransaction& row, const std::optional<Uuid>& created_by) {
  const auto sent = send_insert(tx, organization_id, id, row, created_by);
  co_return co_await inserted(tx, sent);
}

awaitable<std::optional<Transaction>> lock(db::Tx& tx, const Uuid& organization_id,
                                           const Uuid& id) {
  auto result = co_await tx.query(k_lock, organization_id, id);
  co_return first_transaction(result);
}

awaitable<std::optional<Transaction>> select(db::Pool& pool, const Uuid& organization_id,
                                             const Uuid& id) {
  auto result = co_await pool.query(k_select, organization_id, id);
  co_return first_transaction(result);
}

awaitable<Transaction> change_status(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                     Status status,
                                     const std::optional<std::string>& external_reference,
                                     const std::optional<std::string>& failure_reason,
                                     const std::optional<std::string>& reason,
                                     const std::optional<Uuid>& actor_id) {
  auto result = co_await tx.query(k_change_status, organization_id, id, status, external_reference,
                                  failure_reason, reason, actor_id);
  co_return transaction_from(result.one());
}

awaitable<Transaction> mark_reversed(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                     const Uuid& reversal_id) {
  auto result = co_await tx.query(k_mark_reversed, organization_id, id, reversal_id);
  co_return transaction_from(result.one());
}

awaitable<std::vector<Transaction>> select_page(db::Pool& pool, const Uuid& organization_id,
                                                const Filter& filter,
                                                const std::optional<Timestamp>& after_created_at,
                                                const std::optional<Uuid>& after_id, int limit) {
  auto result =
      co_await pool.query(k_select_page, organization_id, filter.visible_wallets, filter.wallet_id,
                          filter.employee_wallets, filter.payroll_run_id, filter.type,
                          filter.status, filter.from, filter.to, after_created_at, after_id, limit);
  std::vector<Transaction> transactions;
  for (auto row : result) transactions.push_back(transaction_from(row));
  co_return transactions;
}

awaitable<std::vector<StatusChange>> select_history(db::Pool& pool, const Uuid& organization_id,
                                                    const Uuid& id) {
  auto result = co_await pool.query(k_select_logs, organization_id, id);
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

awaitable<std::vector<StoredAmount>> select_amounts(db::Session& session,
                                                    const Uuid& organization_id) {
  auto result = co_await session.query(k_select_amounts, organization_id);
  std::vector<StoredAmount> amounts;
  amounts.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    amounts.push_back(
        {.id = row.get<Uuid>("id"),
         .type = k_types.stored(row.get<std::string>("type"), "transaction.transactions.type"),
         .status =
             k_statuses.stored(row.get<std::string>("status"), "transaction.transactions.status"),
         .amount = row.get<std::int64_t>("amount"),
         .source = source_of(row.get<std::string>("source"))});
  co_return amounts;
}

}  // namespace store
}  // namespace payrollx::transaction
