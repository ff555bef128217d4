#pragma once
// The transaction module's SQL (schema transaction only) and the decoding of its rows.
#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction::store {

#define PAYROLLX_TRANSACTION_COLUMNS                                                   \
  "id, organization_id, type, status, amount, currency, from_wallet_id, to_wallet_id," \
  " payroll_run_id, reference, notes, destination_address, external_reference,"        \
  " failure_reason, reversal_of, reversed_by, created_by, created_at, updated_at,"     \
  " completed_at, source"

// A transaction and the first line of its history. $1 id, $2 organization_id, $3 type,
// $4 status, $5 amount, $6 currency, $7 from_wallet_id, $8 to_wallet_id, $9 reference,
// $10 notes, $11 destination_address, $12 reversal_of, $13 created_by.
constexpr db::Query k_insert{
    "transaction.insert",
    "WITH created AS ("
    "  INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,"
    "    from_wallet_id, to_wallet_id, reference, notes, destination_address, reversal_of,"
    "    created_by, completed_at)"
    "  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
    "    CASE WHEN $4 = 'COMPLETED' THEN now() END)"
    "  RETURNING " PAYROLLX_TRANSACTION_COLUMNS
    "), logged AS ("
    "  INSERT INTO transaction.transaction_logs (organization_id, transaction_id, to_status,"
    "    actor_id) SELECT organization_id, id, status, created_by FROM created"
    ") SELECT " PAYROLLX_TRANSACTION_COLUMNS " FROM created"};

// A payroll run's payments and their first history lines. $1 organization_id, $2 run id,
// $3 currency, $4 treasury wallet, $5 id[], $6 employee wallet[], $7 amount[], $8 created_by.
constexpr db::Query k_insert_payments{
    "transaction.insert_payments",
    "WITH created AS ("
    "  INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,"
    "    from_wallet_id, to_wallet_id, payroll_run_id, created_by, completed_at)"
    "  SELECT id, $1, 'PAYROLL', 'COMPLETED', amount, $3, $4, wallet_id, $2, $8, now()"
    "  FROM unnest($5::uuid[], $6::uuid[], $7::bigint[]) AS p(id, wallet_id, amount)"
    "  RETURNING id, organization_id, status, created_by"
    ") INSERT INTO transaction.transaction_logs (organization_id, transaction_id, to_status,"
    "    actor_id) SELECT organization_id, id, status, created_by FROM created"};

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

// $1 organization_id, $2 transaction_id: the history, oldest first.
constexpr db::Query k_select_logs{
    "transaction.select_logs",
    "SELECT from_status, to_status, reason, actor_id, created_at "
    "FROM transaction.transaction_logs WHERE organization_id = $1 AND transaction_id = $2 "
    "ORDER BY id"};

// What reconciliation compares with the entries. $1 organization_id.
constexpr db::Query k_select_amounts{
    "transaction.select_amounts",
    "SELECT id, type, status, amount, source FROM transaction.transactions "
    "WHERE organization_id = $1"};

#undef PAYROLLX_TRANSACTION_COLUMNS

Transaction transaction_of(const db::Row& row);

}  // namespace payrollx::transaction::store
