#pragma once
// The wallet module's SQL (schema wallet only) and the decoding of its rows.
#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::wallet::store {

#define PAYROLLX_WALLET_COLUMNS \
  "id, organization_id, owner_type, owner_id, currency, balance, held, status, created_at"
#define PAYROLLX_ENTRY_COLUMNS \
  "id, wallet_id, transaction_id, direction, amount, balance_after, currency, created_at"

// Any number of wallets. $1 organization_id, $2 id[], $3 owner_type[], $4 owner_id[],
// $5 currency[]. Unique violation (wallets_owner_key) when an owner already has the currency;
// foreign-key violation on an unknown currency.
constexpr db::Query k_insert_many{
    "wallet.insert_wallets",
    "INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency) "
    "SELECT id, $1, owner_type, owner_id, currency "
    "FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[])"
    "  WITH ORDINALITY AS w(id, owner_type, owner_id, currency, position) "
    "ORDER BY position RETURNING " PAYROLLX_WALLET_COLUMNS};

// The clearing wallet of a currency, opened when missing, locked either way (DO UPDATE locks the
// existing row and returns it). $1 id (used when new), $2 organization_id, $3 currency.
constexpr db::Query k_open_external{
    "wallet.open_external",
    "INSERT INTO wallet.wallets AS w (id, organization_id, owner_type, owner_id, currency) "
    "VALUES ($1, $2, 'EXTERNAL', $2, $3) "
    "ON CONFLICT ON CONSTRAINT wallets_owner_key DO UPDATE SET updated_at = w.updated_at "
    "RETURNING " PAYROLLX_WALLET_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_select{"wallet.select", "SELECT " PAYROLLX_WALLET_COLUMNS
                                              " FROM wallet.wallets "
                                              "WHERE id = $2 AND organization_id = $1"};

// $1 organization_id, $2 owner_type, $3 owner_id, $4 currency.
constexpr db::Query k_select_by_owner{
    "wallet.select_by_owner",
    "SELECT " PAYROLLX_WALLET_COLUMNS
    " FROM wallet.wallets "
    "WHERE organization_id = $1 AND owner_type = $2 AND owner_id = $3 AND currency = $4"};

// Locks wallets in one total order — clearing wallets last, the others by id — so concurrent
// movements never wait on each other in a cycle (rows are locked in the ORDER BY's order).
// $1 organization_id, $2 id[].
constexpr db::Query k_lock{"wallet.lock", "SELECT " PAYROLLX_WALLET_COLUMNS
                                          " FROM wallet.wallets "
                                          "WHERE organization_id = $1 AND id = ANY($2::uuid[]) "
                                          "ORDER BY owner_type = 'EXTERNAL', id FOR NO KEY UPDATE"};

// The same lock, counting the rows instead of answering them. $1 organization_id, $2 id[].
constexpr db::Query k_lock_all{"wallet.lock_all",
                               "SELECT count(*) AS locked FROM ("
                               "  SELECT id FROM wallet.wallets"
                               "  WHERE organization_id = $1 AND id = ANY($2::uuid[])"
                               "  ORDER BY owner_type = 'EXTERNAL', id FOR NO KEY UPDATE) locked"};

// The organisation's wallets (an EMPLOYEE's own when $2 is set), newest first.
// $1 organization_id, $2 employee owner or NULL, $3/$4 keyset or NULL, $5 limit.
constexpr db::Query k_select_page{
    "wallet.select_page",
    "SELECT " PAYROLLX_WALLET_COLUMNS
    " FROM wallet.wallets "
    "WHERE organization_id = $1"
    "  AND ($2::uuid IS NULL OR (owner_type = 'EMPLOYEE' AND owner_id = $2))"
    "  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $5"};

// Applies legs, or nothing when a non-external wallet would go below its held amount. Answers
// rows of kind 'short' (wallet_id, available, required: nothing changed) or 'entry' (the
// entries, in leg order). Each wallet's row is updated once, by the sum of its legs; each entry's
// balance_after is the balance before the statement plus its wallet's legs up to it, so several
// legs on one wallet (a payroll's treasury debits) carry running balances.
// $1 organization_id, $2 transaction_id[], $3 wallet_id[], $4 amount[] (signed), $5 entry id[],
// $6 whether to answer the entries (a payroll run's hundreds of thousands are not read back).
constexpr db::Query k_post{
    "wallet.post",
    "WITH legs AS ("
    "  SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::bigint[], $5::uuid[])"
    "    WITH ORDINALITY AS l(transaction_id, wallet_id, amount, entry_id, position)"
    "), totals AS ("
    "  SELECT wallet_id, sum(amount)::bigint AS total FROM legs GROUP BY wallet_id"
    "), short AS ("
    "  SELECT w.id, w.balance - w.held AS available, -t.total AS required"
    "  FROM wallet.wallets w JOIN totals t ON t.wallet_id = w.id"
    "  WHERE w.organization_id = $1 AND w.owner_type <> 'EXTERNAL'"
    "    AND w.balance - w.held + t.total < 0"
    "), moved AS ("
    "  UPDATE wallet.wallets w SET balance = w.balance + t.total, updated_at = now()"
    "  FROM totals t WHERE w.id = t.wallet_id AND w.organization_id = $1"
    "    AND NOT EXISTS (SELECT 1 FROM short)"
    "  RETURNING w.id, w.balance - t.total AS opening, w.currency"
    "), entries AS ("
    "  INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction,"
    "    amount, balance_after, currency)"
    "  SELECT l.entry_id, $1, l.wallet_id, l.transaction_id,"
    "    CASE WHEN l.amount < 0 THEN 'DEBIT' ELSE 'CREDIT' END, abs(l.amount),"
    "    m.opening + sum(l.amount) OVER (PARTITION BY l.wallet_id ORDER BY l.position),"
    "    m.currency"
    "  FROM legs l JOIN moved m ON m.id = l.wallet_id ORDER BY l.position"
    "  RETURNING " PAYROLLX_ENTRY_COLUMNS
    ") SELECT 'short' AS kind, id AS wallet_id, available, required, NULL::uuid AS id,"
    "  NULL::uuid AS transaction_id, NULL AS direction, NULL::bigint AS amount,"
    "  NULL::bigint AS balance_after, NULL AS currency, NULL::timestamptz AS created_at "
    "FROM short UNION ALL "
    "SELECT 'entry', wallet_id, NULL, NULL, id, transaction_id, direction, amount,"
    "  balance_after, currency, created_at FROM entries WHERE $6::boolean"};

// Places a hold on a wallet whose available money covers it; no row when it does not.
// $1 organization_id, $2 wallet_id, $3 hold id, $4 reference, $5 amount.
constexpr db::Query k_hold{
    "wallet.hold",
    "WITH held AS ("
    "  UPDATE wallet.wallets SET held = held + $5, updated_at = now()"
    "  WHERE id = $2 AND organization_id = $1 AND balance - held >= $5"
    "  RETURNING id"
    ") INSERT INTO wallet.holds (id, organization_id, wallet_id, reference, amount)"
    "  SELECT $3, $1, id, $4, $5 FROM held RETURNING id"};

// Releases the active hold of a reference. $1 organization_id, $2 reference → its amount.
constexpr db::Query k_release{
    "wallet.release",
    "WITH released AS ("
    "  UPDATE wallet.holds SET status = 'RELEASED', released_at = now()"
    "  WHERE organization_id = $1 AND reference = $2 AND status = 'ACTIVE'"
    "  RETURNING wallet_id, amount"
    ") UPDATE wallet.wallets w SET held = w.held - r.amount, updated_at = now()"
    "  FROM released r WHERE w.organization_id = $1 AND w.id = r.wallet_id RETURNING r.amount"};

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

#undef PAYROLLX_WALLET_COLUMNS
#undef PAYROLLX_ENTRY_COLUMNS

Wallet wallet_of(const db::Row& row);
Entry entry_of(const db::Row& row);

}  // namespace payrollx::wallet::store
