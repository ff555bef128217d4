// The money flows. Each one, inside the caller's transaction: lock the wallets (non-external ones
// in id order, then the clearing wallet: one total order, so no two flows wait on each other in a
// cycle), write the transaction row with its first history line, post the balanced legs through
// the wallet module, then the audit entry and the notices.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/notification/notification.hpp"
#include "modules/transaction/settlement_store.hpp"
#include "modules/transaction/store.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::transaction {
namespace {

using boost::asio::awaitable;
using store::NewTransaction;
using wallet::OwnerType;

constexpr std::string_view k_entity = "transaction";

awaitable<Transaction> insert(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                              const NewTransaction& row, const compliance::Actor& actor) {
  co_return co_await store::insert(tx, organization_id, id, row, actor.user_id);
}

awaitable<Transaction> change_status(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                     Status status,
                                     const std::optional<std::string>& external_reference,
                                     const std::optional<std::string>& failure_reason,
                                     const compliance::Actor& actor) {
  auto reason = failure_reason ? failure_reason : external_reference;
  co_return co_await store::change_status(tx, organization_id, id, status, external_reference,
                                          failure_reason, reason, actor.user_id);
}

awaitable<Transaction> lock(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto locked = co_await store::lock(tx, organization_id, id);
  if (!locked) throw not_found("The transaction does not exist.");
  co_return std::move(*locked);
}

// Clearing wallets are the platform's bookkeeping, not an address clients move money with.
void require_addressable(const wallet::Wallet& wallet) {
  if (wallet.owner_type == OwnerType::external) throw not_found("The wallet does not exist.");
}

// Braced lists stay out of co_await expressions (GCC 12 fails to compile them): these build them.
awaitable<wallet::Wallet> lock_one(wallet::Service& wallets, db::Tx& tx,
                                   const Uuid& organization_id, const Uuid& wallet_id) {
  const std::vector<Uuid> ids{wallet_id};
  co_return (co_await wallets.lock(tx, organization_id, ids)).front();
}

// The two legs of transaction `id` moving `amount` from one wallet to another.
std::vector<wallet::Leg> moving(const Uuid& id, std::int64_t amount, const wallet::Wallet& from,
                                const wallet::Wallet& to) {
  return {{from.id, -amount, id}, {to.id, amount, id}};
}

// Why a transaction of `type` is never reversed by POST .../reverse; none when it may be. Every
// type is listed (no default), so a new one is a compile error here until it is decided.
std::optional<std::string_view> irreversible(Type type) {
  switch (type) {
    case Type::reversal:
      return "A reversal cannot be reversed.";
    // Money a settled withdrawal sent out has left the platform: giving it back would let it be
    // withdrawn twice (money that returns comes in as a deposit).
    case Type::withdrawal:
      return "A settled withdrawal cannot be reversed; record returned money as a deposit.";
    // A payroll payment is reversed with its run, which keeps the run's state true.
    case Type::payroll:
      return "A payroll payment is reversed by reversing its payroll run.";
    case Type::deposit:
    case Type::bonus:
    case Type::adjustment:
    case Type::transfer:
      return std::nullopt;
  }
  return std::nullopt;
}

void require_pending_withdrawal(const Transaction& transaction) {
  if (transaction.type != Type::withdrawal)
    throw invalid_state("Only withdrawals are completed or failed.");
  if (transaction.status != Status::pending)
    throw invalid_state(
        fmt::format("The withdrawal is {}, not PENDING.", to_string(transaction.status)));
}

// The withdrawal, locked; 409 unless it is a PENDING one.
awaitable<Transaction> lock_pending_withdrawal(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& id) {
  auto pending = co_await lock(tx, organization_id, id);
  require_pending_withdrawal(pending);
  co_return pending;
}

}  // namespace

Service::Service(db::Pool& pool, wallet::Service& wallets, compliance::AuditLog& audit,
                 notification::Inbox& inbox)
    : pool_(pool), wallets_(wallets), audit_(audit), inbox_(inbox) {}

namespace {

// The audit entry of a transaction's change.
compliance::AuditEntry audit_entry(const Transaction& before_or_null, const Transaction& after,
                                   std::string action, const compliance::Actor& actor,
                                   bool created) {
  return {
      .organization_id = after.organization_id,
      .actor = actor,
      .action = std::move(action),
      .entity_type = std::string(k_entity),
      .entity_id = after.id,
      .before = created ? boost::json::value(nullptr) : boost::json::value(to_json(before_or_null)),
      .after = to_json(after)};
}

}  // namespace

awaitable<Transaction> Service::deposit(db::Tx& tx, const Uuid& organization_id,
                                        const Deposit& deposit, const compliance::Actor& actor) {
  auto target = co_await lock_one(wallets_, tx, organization_id, deposit.wallet_id);
  require_addressable(target);
  auto clearing = co_await wallets_.external(tx, organization_id, target.currency);
  const auto id = Uuid::random();
  const NewTransaction row{.type = Type::deposit,
                           .status = Status::completed,
                           .amount = deposit.amount,
                           .currency = target.currency,
                           .from_wallet_id = clearing.id,
                           .to_wallet_id = target.id,
                           .reference = deposit.reference};
  auto created = co_await insert(tx, organization_id, id, row, actor);
  co_await wallets_.post(tx, organization_id, moving(id, deposit.amount, clearing, target));
  co_await audit_.append(
      tx, audit_entry(created, created, "transaction.deposit_completed", actor, true));
  // The person whose money it is: an employee's portal user, or for the organisation's own
  // wallets the member who made the deposit (a receipt).
  auto recipient = co_await wallets_.user_of(tx, target);
  if (!recipient) recipient = actor.user_id;
  if (recipient) {
    notification::Notice notice{
        .organization_id = organization_id,
        .user_id = *recipient,
        .event_type = "wallet.deposit.completed",
        .title = "Deposit completed",
        .body = fmt::format("{} {} (minor units) were deposited.", deposit.amount, target.currency),
        .data = {{"transactionId", id.str()},
                 {"walletId", target.id.str()},
                 {"amount", deposit.amount},
                 {"currency", target.currency}}};
    co_await inbox_.enqueue(tx, std::move(notice));
  }
  notification::Event event{.organization_id = organization_id,
                            .event_type = "wallet.deposit.completed",
                            .data = {{"transactionId", id.str()},
                                     {"walletId", target.id.str()},
                                     {"amount", deposit.amount},
                                     {"currency", target.currency}}};
  co_await inbox_.publish(tx, std::move(event));
  co_return created;
}

awaitable<Transaction> Service::transfer(db::Tx& tx, const Uuid& organization_id,
                                         const Transfer& transfer, const compliance::Actor& actor) {
  if (transfer.from_wallet_id == transfer.to_wallet_id)
    throw validation_failed("toWalletId", "must differ from fromWalletId");
  const std::vector<Uuid> parties{transfer.from_wallet_id, transfer.to_wallet_id};
  auto locked = co_await wallets_.lock(tx, organization_id, parties);
  const auto& from = locked[0];
  const auto& to = locked[1];
  require_addressable(from);
  require_addressable(to);
  if (from.currency != to.currency)
    throw validation_failed("toWalletId",
                            fmt::format("holds {}, not {}: transfers do not convert currencies",
                                        to.currency, from.currency));
  const auto id = Uuid::random();
  const NewTransaction row{.type = transfer.type,
                           .status = Status::completed,
                           .amount = transfer.amount,
                           .currency = from.currency,
                           .from_wallet_id = from.id,
                           .to_wallet_id = to.id,
                           .notes = transfer.notes};
  // The row goes out with the posting, in one round trip while both wallets are locked.
  const auto inserting = store::send_insert(tx, organization_id, id, row, actor.user_id);
  co_await wallets_.post(tx, organization_id, moving(id, transfer.amount, from, to));
  auto created = co_await store::inserted(tx, inserting);
  co_await audit_.append(
      tx, audit_entry(created, created, "transaction.transfer_completed", actor, true));
  co_return created;
}

awaitable<Transaction> Service::withdraw(db::Tx& tx, const Uuid& organization_id,
                                         const Withdrawal& withdrawal,
                                         const compliance::Actor& actor) {
  auto source = co_await lock_one(wallets_, tx, organization_id, withdrawal.wallet_id);
  require_addressable(source);
  auto clearing = co_await wallets_.external(tx, organization_id, source.currency);
  const auto id = Uuid::random();
  const NewTransaction row{.type = Type::withdrawal,
                           .status = Status::pending,
                           .amount = withdrawal.amount,
                           .currency = source.currency,
                           .from_wallet_id = source.id,
                           .to_wallet_id = clearing.id,
                           .destination_address = withdrawal.destination_address};
  auto created = co_await insert(tx, organization_id, id, row, actor);
  co_await wallets_.hold(tx, organization_id, source.id, id, withdrawal.amount);
  if (std::find(on_chain_currencies_.begin(), on_chain_currencies_.end(), source.currency) !=
      on_chain_currencies_.end()) {
    co_await settlement_store::enqueue(tx, created);
    created.settlement = Settlement{};
  }
  co_await audit_.append(
      tx, audit_entry(created, created, "transaction.withdrawal_requested", actor, true));
  co_return created;
}

namespace {

// Who hears about a withdrawal's outcome: the wallet's employee user, and whoever asked for it.
awaitable<std::vector<Uuid>> withdrawal_recipients(wallet::Service& wallets, db::Tx& tx,
                                                   const wallet::Wallet& source,
                                                   const Transaction& withdrawal) {
  std::set<Uuid> recipients;
  if (auto owner = co_await wallets.user_of(tx, source)) recipients.insert(*owner);
  if (withdrawal.created_by) recipients.insert(*withdrawal.created_by);
  co_return std::vector<Uuid>(recipients.begin(), recipients.end());
}

boost::json::object withdrawal_data(const Transaction& withdrawal) {
  return {{"transactionId", withdrawal.id.str()},
          {"walletId", withdrawal.from_wallet_id.str()},
          {"amount", withdrawal.amount},
          {"currency", withdrawal.currency}};
}

std::string_view withdrawal_event(bool completed) {
  return completed ? "transaction.withdrawal.completed" : "transaction.withdrawal.failed";
}

// The settled withdrawal's event, for the organisation's webhooks.
notification::Event withdrawal_settled(const Transaction& withdrawal, bool completed) {
  return {.organization_id = withdrawal.organization_id,
          .event_type = std::string(withdrawal_event(completed)),
          .data = withdrawal_data(withdrawal)};
}

std::vector<notification::Notice> withdrawal_notices(const std::vector<Uuid>& recipients,
                                                     const Transaction& withdrawal,
                                                     bool completed) {
  std::vector<notification::Notice> notices;
  for (const auto& user_id : recipients)
    notices.push_back(
        {.organization_id = withdrawal.organization_id,
         .user_id = user_id,
         .event_type = std::string(withdrawal_event(completed)),
         .title = completed ? "Withdrawal completed" : "Withdrawal failed",
         .body = completed ? fmt::format("Your withdrawal of {} {} (minor units) was sent.",
                                         withdrawal.amount, withdrawal.currency)
                           : fmt::format("Your withdrawal of {} {} (minor units) failed; the "
                                         "money is available in your wallet again.",
                                         withdrawal.amount, withdrawal.currency),
         .data = withdrawal_data(withdrawal)});
  return notices;
}

}  // namespace

awaitable<Transaction> Service::complete(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& transaction_id,
                                         const std::string& external_reference,
                                         const compliance::Actor& actor) {
  auto pending = co_await lock_pending_withdrawal(tx, organization_id, transaction_id);
  co_await settlement_store::require_manual_completion(tx, pending);
  co_return co_await completed(tx, pending, external_reference, actor);
}

awaitable<Transaction> Service::fail(db::Tx& tx, const Uuid& organization_id,
                                     const Uuid& transaction_id, const std::string& reason,
                                     const compliance::Actor& actor) {
  auto pending = co_await lock_pending_withdrawal(tx, organization_id, transaction_id);
  co_await settlement_store::abandon_for_manual_failure(tx, pending, reason);
  co_return co_await failed(tx, pending, reason, actor);
}

awaitable<Transaction> Service::complete_settled(db::Tx& tx, const Uuid& organization_id,
                                                 const Uuid& transaction_id,
                                                 const std::string& signature,
                                                 const compliance::Actor& actor) {
  auto pending = co_await lock_pending_withdrawal(tx, organization_id, transaction_id);
  co_return co_await completed(tx, pending, signature, actor);
}

awaitable<Transaction> Service::fail_settled(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& transaction_id, const std::string& reason,
                                             const compliance::Actor& actor) {
  auto pending = co_await lock_pending_withdrawal(tx, organization_id, transaction_id);
  co_return co_await failed(tx, pending, reason, actor);
}

awaitable<Transaction> Service::retry_settlement(db::Tx& tx, const Uuid& organization_id,
                                                 const Uuid& transaction_id,
                                                 const compliance::Actor& actor) {
  auto pending = co_await lock_pending_withdrawal(tx, organization_id, transaction_id);
  const bool resumable = co_await settlement_store::retry(tx, organization_id, transaction_id);
  if (!resumable)
    throw invalid_state(
        "Only a settlement that FAILED for a reason that may pass (an RPC outage, transactions "
        "that expired) is retried.");
  std::vector<Transaction> resumed{pending};
  co_await settlement_store::attach(tx, organization_id, resumed);
  co_await audit_.append(
      tx, audit_entry(pending, resumed.front(), "transaction.settlement_retried", actor, false));
  co_return resumed.front();
}

awaitable<Transaction> Service::completed(db::Tx& tx, const Transaction& pending,
                                          const std::string& external_reference,
                                          const compliance::Actor& actor) {
  const auto& organization_id = pending.organization_id;
  auto source = co_await lock_one(wallets_, tx, organization_id, pending.from_wallet_id);
  auto clearing = co_await wallets_.external(tx, organization_id, pending.currency);
  co_await wallets_.release(tx, organization_id, pending.id);
  co_await wallets_.post(tx, organization_id, moving(pending.id, pending.amount, source, clearing));
  auto changed = co_await change_status(tx, organization_id, pending.id, Status::completed,
                                        external_reference, std::nullopt, actor);
  std::vector<Transaction> completed{std::move(changed)};
  co_await settlement_store::attach(tx, organization_id, completed);
  co_await audit_.append(tx, audit_entry(pending, completed.front(),
                                         "transaction.withdrawal_completed", actor, false));
  auto recipients = co_await withdrawal_recipients(wallets_, tx, source, completed.front());
  co_await inbox_.enqueue_many(tx, withdrawal_notices(recipients, completed.front(), true));
  co_await inbox_.publish(tx, withdrawal_settled(completed.front(), true));
  co_return completed.front();
}

awaitable<Transaction> Service::failed(db::Tx& tx, const Transaction& pending,
                                       const std::string& reason, const compliance::Actor& actor) {
  const auto& organization_id = pending.organization_id;
  auto source = co_await lock_one(wallets_, tx, organization_id, pending.from_wallet_id);
  co_await wallets_.release(tx, organization_id, pending.id);
  auto changed = co_await change_status(tx, organization_id, pending.id, Status::failed,
                                        std::nullopt, reason, actor);
  std::vector<Transaction> failed{std::move(changed)};
  co_await settlement_store::attach(tx, organization_id, failed);
  co_await audit_.append(
      tx, audit_entry(pending, failed.front(), "transaction.withdrawal_failed", actor, false));
  auto recipients = co_await withdrawal_recipients(wallets_, tx, source, failed.front());
  co_await inbox_.enqueue_many(tx, withdrawal_notices(recipients, failed.front(), false));
  co_await inbox_.publish(tx, withdrawal_settled(failed.front(), false));
  co_return failed.front();
}

awaitable<Transaction> Service::reverse(db::Tx& tx, const Uuid& organization_id,
                                        const Uuid& transaction_id, const std::string& reason,
                                        const compliance::Actor& actor) {
  auto original = co_await lock(tx, organization_id, transaction_id);
  if (original.source == Source::legacy)
    throw invalid_state(
        "An imported legacy transaction is history: its money moved on chain, outside "
        "PayrollX's wallets, and cannot be reversed here.");
  if (auto why = irreversible(original.type)) throw invalid_state(std::string(*why));
  if (original.status != Status::completed)
    throw invalid_state(
        fmt::format("The transaction is {}, not COMPLETED.", to_string(original.status)));
  if (original.reversed_by) throw invalid_state("The transaction was already reversed.");

  const std::vector<Uuid> reversed_ids{original.id};
  auto entries = co_await wallets_.entries_of(tx, organization_id, reversed_ids);
  std::set<Uuid> wallet_ids;
  for (const auto& entry : entries) wallet_ids.insert(entry.wallet_id);
  co_await wallets_.lock(tx, organization_id,
                         std::vector<Uuid>(wallet_ids.begin(), wallet_ids.end()));

  const auto id = Uuid::random();
  const NewTransaction row{.type = Type::reversal,
                           .status = Status::completed,
                           .amount = original.amount,
                           .currency = original.currency,
                           .from_wallet_id = original.to_wallet_id,
                           .to_wallet_id = original.from_wallet_id,
                           .notes = reason,
                           .reversal_of = original.id};
  auto reversal = co_await insert(tx, organization_id, id, row, actor);
  std::vector<wallet::Leg> legs;
  for (const auto& entry : entries)
    legs.push_back(
        {entry.wallet_id, entry.direction == "CREDIT" ? -entry.amount : entry.amount, id});
  co_await wallets_.post(tx, organization_id, legs);
  auto reversed = co_await store::mark_reversed(tx, organization_id, original.id, id);
  co_await audit_.append(tx, audit_entry(original, reversed, "transaction.reversed", actor, false));
  co_await audit_.append(
      tx, audit_entry(reversal, reversal, "transaction.reversal_completed", actor, true));
  co_return reversal;
}

}  // namespace payrollx::transaction
