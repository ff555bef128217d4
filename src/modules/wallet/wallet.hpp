#pragma once
// wallet — wallets (balances and holds in integer minor units) and their entries (one per debit or
// credit, with the balance after it). The wallet module keeps the books' arithmetic; the business
// record of a movement (its type, status, history) belongs to the transaction module, which calls
// this interface inside its own database transaction.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/enum_names.hpp"
#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx {
struct Principal;
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
}  // namespace payrollx

namespace payrollx::wallet {

// ORGANIZATION: the treasury (owner = the organisation); EMPLOYEE: an employee's wallet (owner =
// the employee); EXTERNAL: the organisation's clearing wallet for money entering or leaving the
// platform in one currency (owner = the organisation) — the only kind allowed below zero.
enum class OwnerType { organization, employee, external };
inline constexpr auto k_owner_types =
    enum_names<OwnerType>({{OwnerType::organization, "ORGANIZATION"},
                           {OwnerType::employee, "EMPLOYEE"},
                           {OwnerType::external, "EXTERNAL"}});
PAYROLLX_ENUM_NAMES(OwnerType, k_owner_types, parse_owner_type)

// Every wallet is created ACTIVE; no flow here freezes one, but the table allows FROZEN, so it is
// read and answered like any other state.
enum class Status { active, frozen };
inline constexpr auto k_statuses =
    enum_names<Status>({{Status::active, "ACTIVE"}, {Status::frozen, "FROZEN"}});
PAYROLLX_ENUM_NAMES(Status, k_statuses, parse_status)

struct Wallet {
  Uuid id;
  Uuid organization_id;
  OwnerType owner_type = OwnerType::organization;
  Uuid owner_id;
  std::string currency;
  std::int64_t balance = 0;  // minor units
  std::int64_t held = 0;     // reserved by active holds; available = balance - held
  Status status = Status::active;
  Timestamp created_at;

  std::int64_t available() const { return balance - held; }
};

// {id,ownerType,ownerId,currency,balance,held,available,status,createdAt}
boost::json::object to_json(const Wallet& wallet);

struct NewWallet {
  OwnerType owner_type = OwnerType::employee;
  Uuid owner_id;
  std::string currency;
};

// One side of a movement: a signed change of one wallet's balance (negative: a debit), for one
// transaction.
struct Leg {
  Uuid wallet_id;
  std::int64_t amount = 0;
  Uuid transaction_id;
};

// A wallet that cannot pay its legs: it would spend `required` with `available` left.
struct Shortage {
  Uuid wallet_id;
  std::int64_t required = 0;
  std::int64_t available = 0;
};

struct Entry {
  Uuid id;
  Uuid wallet_id;
  Uuid transaction_id;
  std::string direction;  // DEBIT or CREDIT
  std::int64_t amount = 0;
  std::int64_t balance_after = 0;
  std::string currency;
  Timestamp created_at;
};

// {id,walletId,transactionId,direction,amount,balanceAfter,currency,createdAt}
boost::json::object to_json(const Entry& entry);

// One broken rule of the books, e.g. {"balance_mismatch", wallet, "balance 100, entries 90"}.
struct Mismatch {
  std::string kind;
  std::optional<Uuid> wallet_id;
  std::optional<Uuid> transaction_id;
  std::string detail;
};

// What reconcile() found: the wallet-side rules checked (balance = sum of entries, each entry's
// balance_after = the previous one's plus its amount, held = active holds, every transaction's
// entries balance per currency, every currency's balances sum to zero), and per transaction the
// amount its entries credited and the active holds, for the transaction module's own checks.
struct Books {
  std::int64_t wallets = 0;
  std::vector<Mismatch> mismatches;
  std::vector<std::pair<Uuid, std::int64_t>> credited_by_transaction;
  std::vector<std::pair<Uuid, std::int64_t>> active_holds;  // (reference, amount)
};

// Who an EMPLOYEE caller is in the employee module. Declared here and implemented there (the
// employee module depends on this one, not the other way round), set by the composition root.
class EmployeeDirectory {
 public:
  virtual ~EmployeeDirectory() = default;
  // The employee record linked to the user, if any.
  virtual boost::asio::awaitable<std::optional<Uuid>> employee_of_user(const Uuid& organization_id,
                                                                       const Uuid& user_id) = 0;
  // Whether the employee is one of the organisation's.
  virtual boost::asio::awaitable<bool> has_employee(const Uuid& organization_id,
                                                    const Uuid& employee_id) = 0;
  // The portal user linked to the employee, if any (the recipient of their notices). Asked on
  // the caller's session: inside a transaction that holds locks, a second pooled connection
  // could wait for one that never comes back.
  virtual boost::asio::awaitable<std::optional<Uuid>> user_of_employee(db::Session& session,
                                                                       const Uuid& organization_id,
                                                                       const Uuid& employee_id) = 0;
};

// LEDGER_RECONCILIATION's rows (see src/reports), one per wallet that existed by the end of the
// UTC dates [from, to], by id. opening: the net of its entries before the period; credits and
// debits: its entries in the period; closing: its stored balance less the net of its entries
// after the period (the balance it had at the period's end); entries_balance: opening + credits
// - debits. They agree (ok) unless the stored balance and the entries disagree.
struct ReconciliationRow {
  Uuid wallet_id;
  std::string owner_type;  // ORGANIZATION, EMPLOYEE, EXTERNAL
  Uuid owner_id;
  std::string currency;
  std::int64_t opening = 0;
  std::int64_t credits = 0;
  std::int64_t debits = 0;
  std::int64_t closing = 0;
  std::int64_t entries_balance = 0;
  bool ok() const { return closing == entries_balance; }
};

class Service {
 public:
  Service(db::Pool& pool, compliance::AuditLog& audit);

  void set_employee_directory(EmployeeDirectory& directory) { directory_ = &directory; }
  // Whether the employee is one of the organisation's (the owner check of POST /wallets).
  boost::asio::awaitable<bool> has_employee(const Uuid& organization_id, const Uuid& employee_id);
  // The employee a caller with role EMPLOYEE is (none when the user has no employee record).
  boost::asio::awaitable<std::optional<Uuid>> employee_of(const Principal& caller);
  // The user to notify about a wallet's money: an employee wallet's portal user, if any.
  boost::asio::awaitable<std::optional<Uuid>> user_of(db::Session& session, const Wallet& wallet);

  // Opens a wallet in the caller's transaction, audited ("wallet.opened"). 409 conflict when the
  // owner already has a wallet in the currency; 400 validation_failed for an unknown currency.
  // The caller vouches for the owner (an employee of the organisation, or the organisation).
  boost::asio::awaitable<Wallet> open(db::Tx& tx, const Uuid& organization_id,
                                      const NewWallet& wallet, const compliance::Actor& actor);
  // Any number of wallets in one statement (CSV import), audited; same errors as open().
  boost::asio::awaitable<std::vector<Wallet>> open_many(db::Tx& tx, const Uuid& organization_id,
                                                        const std::vector<NewWallet>& wallets,
                                                        const compliance::Actor& actor);

  // 404 not_found when the wallet is not the organisation's.
  boost::asio::awaitable<Wallet> get(db::Session& session, const Uuid& organization_id,
                                     const Uuid& wallet_id);
  boost::asio::awaitable<Wallet> get(const Uuid& organization_id, const Uuid& wallet_id);
  // The owner's wallet in a currency, if it has one.
  boost::asio::awaitable<std::optional<Wallet>> find(db::Session& session,
                                                     const Uuid& organization_id,
                                                     OwnerType owner_type, const Uuid& owner_id,
                                                     const std::string& currency);
  // The organisation's clearing wallet in `currency`, opened on first use, locked.
  boost::asio::awaitable<Wallet> external(db::Tx& tx, const Uuid& organization_id,
                                          const std::string& currency);

  // Locks the wallets (FOR UPDATE in one total order: clearing wallets last, the others by id;
  // two movements never wait on each other in a cycle) and answers them in the order of
  // `wallet_ids`. 404 when one is not the organisation's. A flow that needs a clearing wallet
  // as well locks the others first, then calls external(), which keeps the same order.
  boost::asio::awaitable<std::vector<Wallet>> lock(db::Tx& tx, const Uuid& organization_id,
                                                   std::vector<Uuid> wallet_ids);
  // Locks any number of wallets in the same order as lock() without reading them back (a payroll
  // run's thousands). 404 when one is not the organisation's.
  boost::asio::awaitable<void> lock_all(db::Tx& tx, const Uuid& organization_id,
                                        const std::vector<Uuid>& wallet_ids);
  // Applies legs (of one transaction or of many: a payroll run's) in one statement: each
  // wallet's balance changes once, and one entry per leg records it with the running balance
  // after it, in leg order. Each transaction's legs must balance per currency (a logic_error
  // otherwise) and the wallets must be locked. 409 insufficient_funds, with `required` and
  // `available`, when a non-external wallet would spend more than it has available.
  boost::asio::awaitable<std::vector<Entry>> post(db::Tx& tx, const Uuid& organization_id,
                                                  const std::vector<Leg>& legs);
  // The same, but a shortage is answered instead of thrown: when there is any, nothing changed.
  // Without `answer_entries` (bulk work: a payroll run), the entries are written but not read
  // back, and the caller vouches for the legs: balanced per transaction and currency, on wallets
  // it locked with lock_all (which checked that every one is the organisation's).
  struct Posting {
    std::vector<Entry> entries;
    std::vector<Shortage> shortages;
  };
  boost::asio::awaitable<Posting> try_post(db::Tx& tx, const Uuid& organization_id,
                                           const std::vector<Leg>& legs,
                                           bool answer_entries = true);

  // Reserves `amount` of a locked wallet's available money for `reference` (a withdrawal or a
  // payroll run): 409 insufficient_funds when it is not there.
  boost::asio::awaitable<void> hold(db::Tx& tx, const Uuid& organization_id, const Uuid& wallet_id,
                                    const Uuid& reference, std::int64_t amount);
  // Ends the active hold of `reference` (released: the money is available again). Answers its
  // amount; 409 invalid_state when there is no active hold.
  boost::asio::awaitable<std::int64_t> release(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& reference);

  // The organisation's wallets (an EMPLOYEE's own when `employee_id` is set), newest first: up
  // to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Wallet>> list(const Uuid& organization_id,
                                                   const std::optional<Uuid>& employee_id,
                                                   const http::PageRequest& page);
  // A wallet's entries, newest first, after the entry `after`: up to limit + 1.
  boost::asio::awaitable<std::vector<Entry>> statement(const Uuid& organization_id,
                                                       const Uuid& wallet_id,
                                                       const std::optional<Uuid>& after, int limit);
  // The entries of some transactions, in the order they were written.
  boost::asio::awaitable<std::vector<Entry>> entries_of(db::Session& session,
                                                        const Uuid& organization_id,
                                                        const std::vector<Uuid>& transaction_ids);

  // Recomputes the organisation's books from the entries (see Books).
  boost::asio::awaitable<Books> reconcile(db::Session& session, const Uuid& organization_id);
  // The reconciliation report's rows, read in the caller's session (the report maker's
  // snapshot), `limit` wallets after `after`.
  boost::asio::awaitable<std::int64_t> count_reconciliation(db::Session& session,
                                                            const Uuid& organization_id, Date to);
  boost::asio::awaitable<std::vector<ReconciliationRow>> reconciliation_page(
      db::Session& session, const Uuid& organization_id, Date from, Date to,
      const std::optional<Uuid>& after, int limit);

  db::Pool& pool() { return pool_; }
  compliance::AuditLog& audit() { return audit_; }

 private:
  db::Pool& pool_;
  compliance::AuditLog& audit_;
  EmployeeDirectory* directory_ = nullptr;
};

void register_routes(http::Router& router, Service& service);

}  // namespace payrollx::wallet
