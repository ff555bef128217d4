#pragma once
// The transaction module's storage (schema transaction only): typed functions over transactions
// and their history, their SQL private to the store's .cpp files (store.cpp: one transaction at
// a time and the reads, payments_store.cpp: a payroll run's payments as sets). Private to the
// transaction module; settlements have their own (settlement_store.hpp).
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/db/session.hpp"
#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction::store {

// Transactions one at a time, and the reads (store.cpp).

// A new transaction row, before it is written.
struct NewTransaction {
  Type type = Type::deposit;
  Status status = Status::completed;
  std::int64_t amount = 0;
  std::string currency;
  Uuid from_wallet_id;
  Uuid to_wallet_id;
  std::optional<std::string> reference;
  std::optional<std::string> notes;
  std::optional<std::string> destination_address;
  std::optional<Uuid> reversal_of;
};

// The transaction `id` (a COMPLETED one is completed now); its row says its creation.
boost::asio::awaitable<Transaction> insert(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                           const NewTransaction& row,
                                           const std::optional<Uuid>& created_by);
// The same in two steps: the row goes out with the transaction's next statement, in one round
// trip (db::Tx::send), and inserted() reads it back.
db::Pending send_insert(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                        const NewTransaction& row, const std::optional<Uuid>& created_by);
boost::asio::awaitable<Transaction> inserted(db::Tx& tx, const db::Pending& insert);
// Locked until COMMIT (NO KEY UPDATE); none when it is not the organisation's.
boost::asio::awaitable<std::optional<Transaction>> lock(db::Tx& tx, const Uuid& organization_id,
                                                        const Uuid& id);
// None when it is not the organisation's.
boost::asio::awaitable<std::optional<Transaction>> select(db::Pool& pool,
                                                          const Uuid& organization_id,
                                                          const Uuid& id);
// A status change and its history line; a reference or failure reason left out keeps the
// stored one.
boost::asio::awaitable<Transaction> change_status(
    db::Tx& tx, const Uuid& organization_id, const Uuid& id, Status status,
    const std::optional<std::string>& external_reference,
    const std::optional<std::string>& failure_reason, const std::optional<std::string>& reason,
    const std::optional<Uuid>& actor_id);
// Records that `reversal_id` reversed the transaction `id`.
boost::asio::awaitable<Transaction> mark_reversed(db::Tx& tx, const Uuid& organization_id,
                                                  const Uuid& id, const Uuid& reversal_id);
// One page of the organisation's transactions, newest first, after the keyset (created_at, id)
// of the previous page's last row; up to `limit`.
boost::asio::awaitable<std::vector<Transaction>> select_page(
    db::Pool& pool, const Uuid& organization_id, const Filter& filter,
    const std::optional<Timestamp>& after_created_at, const std::optional<Uuid>& after_id,
    int limit);
// A transaction's history, oldest first.
boost::asio::awaitable<std::vector<StatusChange>> select_history(db::Pool& pool,
                                                                 const Uuid& organization_id,
                                                                 const Uuid& id);

// What reconciliation compares with the wallets' entries and holds, per transaction.
struct StoredAmount {
  Uuid id;
  Type type = Type::deposit;
  Status status = Status::pending;
  std::int64_t amount = 0;
  Source source = Source::payrollx;
};
boost::asio::awaitable<std::vector<StoredAmount>> select_amounts(db::Session& session,
                                                                 const Uuid& organization_id);

// A payroll run's payments, whatever their number, in one statement each (payments_store.cpp).

// The run's PAYROLL transactions (COMPLETED, from the treasury) and their first history lines.
boost::asio::awaitable<void> insert_payments(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& run_id, const std::string& currency,
                                             const Uuid& treasury_wallet_id,
                                             const std::vector<Payment>& payments,
                                             const std::optional<Uuid>& created_by);
// The compensations (COMPLETED REVERSAL transactions, to the treasury) and their first history
// lines, with `reason`.
boost::asio::awaitable<void> insert_payment_reversals(
    db::Tx& tx, const Uuid& organization_id, const Uuid& run_id, const std::string& currency,
    const Uuid& treasury_wallet_id, const std::vector<PaymentReversal>& reversals,
    const std::string& reason, const std::optional<Uuid>& created_by);
// Marks the reversed payments as reversed, only completed, unreversed PAYROLL transactions of
// the run; answers how many it marked.
boost::asio::awaitable<std::int64_t> mark_payments_reversed(
    db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
    const std::vector<PaymentReversal>& reversals);

}  // namespace payrollx::transaction::store
