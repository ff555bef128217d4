#pragma once
// transaction — the business record of every money movement (type, status, parties, history)
// and the flows that move money: deposits, transfers, withdrawals and their settlement,
// reversals, and the ledger's reconciliation. The money itself moves through the wallet module's
// interface, in the same database transaction.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx {
namespace db {
class Pool;
class Session;
class Tx;
}  // namespace db
namespace http {
class Router;
}
namespace compliance {
class AuditLog;
struct Actor;
}  // namespace compliance
namespace notification {
class Inbox;
}
namespace wallet {
class Service;
}
}  // namespace payrollx

namespace payrollx::transaction {

// Where a transaction was made: here, or in the legacy services (imported history: money that
// moved on chain, with no wallet entries).
enum class Source { payrollx, legacy };
std::string_view to_string(Source source);
Source source_of(std::string_view text);  // throws std::logic_error for an unknown one

// On-chain settlement of a withdrawal (sql/transaction/0003_settlements.sql tells the life of
// one): the adapter's state, as the transaction shows it.
enum class SettlementStatus { queued, submitted, expired, confirmed, finalized, failed };
std::string_view to_string(SettlementStatus status);
SettlementStatus settlement_status_of(std::string_view text);  // std::logic_error if unknown

// What a transaction moved money for; stored and answered by these names (core/enum_names.hpp).
enum class Type { deposit, withdrawal, payroll, bonus, adjustment, transfer, reversal };
inline constexpr auto k_types = enum_names<Type>({{Type::deposit, "DEPOSIT"},
                                                  {Type::withdrawal, "WITHDRAWAL"},
                                                  {Type::payroll, "PAYROLL"},
                                                  {Type::bonus, "BONUS"},
                                                  {Type::adjustment, "ADJUSTMENT"},
                                                  {Type::transfer, "TRANSFER"},
                                                  {Type::reversal, "REVERSAL"}});
PAYROLLX_ENUM_NAMES(Type, k_types, parse_type)

// A transaction is PENDING only while a withdrawal waits for its settlement, which makes it
// COMPLETED or FAILED; every other transaction is COMPLETED when written. No flow here cancels a
// transaction: CANCELLED ones come from the legacy services' imported history.
enum class Status { pending, completed, failed, cancelled };
inline constexpr auto k_statuses = enum_names<Status>({{Status::pending, "PENDING"},
                                                       {Status::completed, "COMPLETED"},
                                                       {Status::failed, "FAILED"},
                                                       {Status::cancelled, "CANCELLED"}});
PAYROLLX_ENUM_NAMES(Status, k_statuses, parse_status)

struct Settlement {
  SettlementStatus status = SettlementStatus::queued;
  bool retryable = false;  // FAILED: may POST /settle (an outage), not a definite failure
  int attempts = 0;        // transactions built and signed
  std::optional<std::string> signature;
  std::optional<std::string> last_error;
};

struct Transaction {
  Uuid id;
  Uuid organization_id;
  Type type = Type::deposit;
  Status status = Status::pending;
  std::int64_t amount = 0;
  std::string currency;
  Uuid from_wallet_id;
  Uuid to_wallet_id;
  std::optional<Uuid> payroll_run_id;
  std::optional<std::string> reference;
  std::optional<std::string> notes;
  std::optional<std::string> destination_address;
  std::optional<std::string> external_reference;
  std::optional<std::string> failure_reason;
  std::optional<Uuid> reversal_of;
  std::optional<Uuid> reversed_by;
  std::optional<Uuid> created_by;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> completed_at;
  Source source = Source::payrollx;
  // A withdrawal the Solana adapter settles; none for one settled by hand (adapter "manual").
  std::optional<Settlement> settlement;
};

boost::json::object to_json(const Transaction& transaction);

struct Deposit {
  Uuid wallet_id;
  std::int64_t amount = 0;
  std::string reference;
};

struct Withdrawal {
  Uuid wallet_id;
  std::int64_t amount = 0;
  std::string destination_address;
};

struct Transfer {
  Uuid from_wallet_id;
  Uuid to_wallet_id;
  std::int64_t amount = 0;
  Type type = Type::transfer;  // BONUS, ADJUSTMENT or TRANSFER
  std::optional<std::string> notes;
};

// One line of a transaction's status history.
struct StatusChange {
  std::optional<Status> from_status;  // none: created
  Status to_status = Status::pending;
  std::optional<std::string> reason;
  std::optional<Uuid> actor_id;
  Timestamp created_at;
};

struct Filter {
  std::optional<std::vector<Uuid>> visible_wallets;  // an EMPLOYEE caller's own wallets
  std::optional<Uuid> wallet_id;
  std::optional<std::vector<Uuid>> employee_wallets;  // the employeeId filter, as wallets
  std::optional<Uuid> payroll_run_id;
  std::optional<Type> type;
  std::optional<Status> status;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
};

// One payment of a payroll run: its net from the treasury to an employee's wallet.
struct Payment {
  Uuid transaction_id;  // chosen by the caller (the item records it)
  Uuid wallet_id;
  std::int64_t amount = 0;  // > 0
};

// The compensation of one payment of a reversed run.
struct PaymentReversal {
  Uuid reversal_id;  // the new REVERSAL transaction, chosen by the caller
  Uuid original_id;  // the PAYROLL transaction it reverses
  Uuid wallet_id;    // the employee's wallet, debited
  std::int64_t amount = 0;
};

class Service {
 public:
  Service(db::Pool& pool, wallet::Service& wallets, compliance::AuditLog& audit,
          notification::Inbox& inbox);

  // The currencies an on-chain adapter settles (the composition root sets them when the Solana
  // adapter is configured): a withdrawal in one of them is queued for its settlement job in the
  // withdrawal's own transaction, and cannot be completed by hand; failed by hand only while no
  // signed transaction of it may still land.
  void settle_on_chain(std::vector<std::string> currencies) {
    on_chain_currencies_ = std::move(currencies);
  }

  // Each flow runs in the caller's transaction, writes its transaction row, its status history,
  // its audit entry and (where a person is concerned) an inbox notice. 404 for a wallet or
  // transaction that is not the organisation's; 409 insufficient_funds; 409 invalid_state.
  //
  // From the organisation's clearing wallet into a wallet: COMPLETED.
  boost::asio::awaitable<Transaction> deposit(db::Tx& tx, const Uuid& organization_id,
                                              const Deposit& deposit,
                                              const compliance::Actor& actor);
  // Between two wallets of one currency (400 across currencies): COMPLETED.
  boost::asio::awaitable<Transaction> transfer(db::Tx& tx, const Uuid& organization_id,
                                               const Transfer& transfer,
                                               const compliance::Actor& actor);
  // PENDING, with the amount held on the wallet until it is completed or failed.
  boost::asio::awaitable<Transaction> withdraw(db::Tx& tx, const Uuid& organization_id,
                                               const Withdrawal& withdrawal,
                                               const compliance::Actor& actor);
  // Settles a PENDING withdrawal: the held money goes to the clearing wallet.
  boost::asio::awaitable<Transaction> complete(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& transaction_id,
                                               const std::string& external_reference,
                                               const compliance::Actor& actor);
  // Resumes the settlement of a withdrawal whose adapter gave up on an outage (FAILED,
  // retryable): a stored transaction that may still land is looked for first, never replaced
  // while it may. 409 invalid_state otherwise.
  boost::asio::awaitable<Transaction> retry_settlement(db::Tx& tx, const Uuid& organization_id,
                                                       const Uuid& transaction_id,
                                                       const compliance::Actor& actor);
  // Fails a PENDING withdrawal: the held money is available again.
  boost::asio::awaitable<Transaction> fail(db::Tx& tx, const Uuid& organization_id,
                                           const Uuid& transaction_id, const std::string& reason,
                                           const compliance::Actor& actor);
  // The compensating transaction of a COMPLETED one (never of a reversal, never twice).
  boost::asio::awaitable<Transaction> reverse(db::Tx& tx, const Uuid& organization_id,
                                              const Uuid& transaction_id, const std::string& reason,
                                              const compliance::Actor& actor);

  // A payroll run's payments, set-based (a handful of statements whatever their number): one
  // COMPLETED PAYROLL transaction per payment (with payrollRunId; its history is its row), the
  // treasury debited once per payment in one row update (entries with running balanceAfter), every
  // employee wallet credited. Locks the wallets itself (treasury and employees, in the one lock
  // order), then releases the run's hold (reference: the run id), which must hold exactly the
  // payments' total, and spends it: nothing can take the money in between, and no lock is taken
  // out of order. 409 insufficient_funds if the treasury cannot pay. Not audited here: the run's
  // audit entry covers it.
  boost::asio::awaitable<void> pay_payroll(db::Tx& tx, const Uuid& organization_id,
                                           const Uuid& run_id, const Uuid& treasury_wallet_id,
                                           const std::string& currency,
                                           const std::vector<Payment>& payments,
                                           const compliance::Actor& actor);
  // A completed run's compensation, set-based: one REVERSAL transaction per payment (employee
  // wallet back to the treasury), each original marked reversed by it. Answers the employee
  // wallets that no longer hold their payment: when there are any, nothing was applied and the
  // caller must refuse (throw) so that the transaction rolls back.
  boost::asio::awaitable<std::vector<Uuid>> reverse_payroll(
      db::Tx& tx, const Uuid& organization_id, const Uuid& run_id, const Uuid& treasury_wallet_id,
      const std::string& currency, const std::vector<PaymentReversal>& reversals,
      const std::string& reason, const compliance::Actor& actor);

  // Newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Transaction>> list(const Uuid& organization_id,
                                                        const Filter& filter,
                                                        const http::PageRequest& page);
  // 404 when it is not the organisation's.
  boost::asio::awaitable<Transaction> get(const Uuid& organization_id, const Uuid& transaction_id);
  boost::asio::awaitable<std::vector<StatusChange>> history(const Uuid& organization_id,
                                                            const Uuid& transaction_id);
  // Every rule of the books, recomputed from the entries in one snapshot:
  // {ok, wallets, transactions, mismatches:[{kind,walletId,transactionId,detail}]}.
  boost::asio::awaitable<boost::json::object> reconcile(const Uuid& organization_id);

  db::Pool& pool() { return pool_; }
  wallet::Service& wallets() { return wallets_; }
  compliance::AuditLog& audit() { return audit_; }
  notification::Inbox& inbox() { return inbox_; }

 private:
  friend class Settlements;
  // The settlement job's outcomes: complete() and fail() without the guard that keeps hands off
  // a withdrawal the adapter settles.
  boost::asio::awaitable<Transaction> complete_settled(db::Tx& tx, const Uuid& organization_id,
                                                       const Uuid& transaction_id,
                                                       const std::string& signature,
                                                       const compliance::Actor& actor);
  boost::asio::awaitable<Transaction> fail_settled(db::Tx& tx, const Uuid& organization_id,
                                                   const Uuid& transaction_id,
                                                   const std::string& reason,
                                                   const compliance::Actor& actor);
  // A locked PENDING withdrawal settled: its money leaves with the clearing wallet, or is released.
  boost::asio::awaitable<Transaction> completed(db::Tx& tx, const Transaction& pending,
                                                const std::string& external_reference,
                                                const compliance::Actor& actor);
  boost::asio::awaitable<Transaction> failed(db::Tx& tx, const Transaction& pending,
                                             const std::string& reason,
                                             const compliance::Actor& actor);

  db::Pool& pool_;
  wallet::Service& wallets_;
  compliance::AuditLog& audit_;
  notification::Inbox& inbox_;
  std::vector<std::string> on_chain_currencies_;
};

// A withdrawal the settlement job holds under a lease, with what it needs to pay it.
struct ClaimedSettlement {
  Uuid transaction_id;
  Uuid organization_id;
  Uuid claim;  // this lease's owner: every write below holds only while it is the current one
  SettlementStatus status = SettlementStatus::queued;
  int attempts = 0;
  int rpc_failures = 0;
  std::optional<std::string> signature;
  std::optional<std::vector<std::uint8_t>> signed_transaction;  // may land: re-send, never replace
  std::optional<std::int64_t> last_valid_block_height;
  std::optional<std::int64_t> blockhash_slot;  // the slot its blockhash was read at
  std::int64_t amount = 0;
  std::string currency;
  std::string destination_address;
};

// A transaction built and signed for a settlement, as it is stored before it is sent.
struct SignedSettlement {
  std::string signature;
  std::vector<std::uint8_t> bytes;
  std::int64_t last_valid_block_height = 0;
  std::int64_t blockhash_slot = 0;
};

// The settlement job's side of the settlements: claims with leases in PostgreSQL (one instance
// moves a settlement at a time), and each step's outcome. A step whose claim was taken over by
// another instance (its lease lapsed) changes nothing and answers false.
class Settlements {
 public:
  explicit Settlements(Service& service) : service_(service) {}

  // Due settlements (QUEUED, SUBMITTED, EXPIRED whose next attempt is due and whose lease is
  // free or lapsed), oldest first, of organisations not in `suspended`.
  boost::asio::awaitable<std::vector<ClaimedSettlement>> claim(int limit,
                                                               std::chrono::seconds lease,
                                                               const std::vector<Uuid>& suspended);
  // Stores a newly signed transaction (SUBMITTED, attempts + 1, and its attempt row) before it
  // is sent; only if no signed transaction of it may still land.
  boost::asio::awaitable<bool> store_signed(const ClaimedSettlement& settlement,
                                            const SignedSettlement& signed_settlement);
  // The chain passed the stored transaction's last valid block height without it: EXPIRED (a
  // new one may be built), or FAILED retryable after `max_attempts` transactions.
  boost::asio::awaitable<bool> expire(const ClaimedSettlement& settlement, int max_attempts);
  // Not settled yet: the lease is released and the settlement is due again after `delay`.
  boost::asio::awaitable<bool> later(const ClaimedSettlement& settlement,
                                     std::chrono::milliseconds delay);
  // An RPC call failed: due again after `delay`; FAILED retryable after `max_failures` in a row
  // (its stored transaction kept: it may still land).
  boost::asio::awaitable<bool> rpc_failed(const ClaimedSettlement& settlement,
                                          const std::string& error, std::chrono::milliseconds delay,
                                          int max_failures);
  // Landed at `status` (CONFIRMED or FINALIZED): the withdrawal is COMPLETED with the signature
  // as its external reference, in the same database transaction.
  boost::asio::awaitable<bool> landed(const ClaimedSettlement& settlement, SettlementStatus status);
  // The chain says the transaction failed (finalized): FAILED, and the withdrawal FAILED with its
  // money released, in the same database transaction.
  boost::asio::awaitable<bool> failed_on_chain(const ClaimedSettlement& settlement,
                                               const std::string& error);

 private:
  // Runs an outcome's database transaction; false when the claim was lost meanwhile (rolled
  // back).
  boost::asio::awaitable<bool> settle(std::function<boost::asio::awaitable<void>(db::Tx&)> body);

  Service& service_;
};

void register_routes(http::Router& router, Service& service);

}  // namespace payrollx::transaction
