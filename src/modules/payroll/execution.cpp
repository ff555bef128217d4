// Executing and reversing a run: execution pays an APPROVED run from its approval's hold;
// reversal undoes a COMPLETED one by compensating transactions, never by deleting or editing (the
// original and its reversal point at each other). Each is one database transaction, the
// caller's (the route runs it under the request's Idempotency-Key): the run row is locked first,
// so concurrent requests on one run queue behind it and find it changed; then the money moves
// through the transaction module (set-based, a handful of statements for any number of
// employees), the items and the run are marked in one statement each, the notices are queued and
// the audit entry written. Any failure rolls all of it back.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <map>
#include <span>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/invariant.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/notification/notification.hpp"
#include "modules/payroll/events.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

constexpr std::string_view k_default_reversal_reason = "Payroll run reversed";

// Without their lines: neither paying nor reversing (nor their notices) reads them.
awaitable<std::vector<Item>> all_items(db::Tx& tx, const Run& run) {
  co_return co_await store::select_items_to_pay(tx, run.organization_id, run.id);
}

std::vector<Uuid> employees_of(const std::vector<Item>& items) {
  std::vector<Uuid> ids;
  ids.reserve(items.size());
  for (const auto& item : items) ids.push_back(item.employee_id);
  return ids;
}

void require_status(const Run& run, RunStatus status) {
  if (run.status != status)
    throw invalid_state(
        fmt::format("The payroll run is {}, not {}.", to_string(run.status), to_string(status)));
}

// payroll.payslip.available for the organisation's webhooks, a slice of the items at a time (as
// the notices, below).
awaitable<void> publish_payslips(notification::Inbox& inbox, db::Tx& tx, const Run& run,
                                 const std::vector<Item>& items) {
  constexpr std::size_t k_slice = 5000;
  const std::span<const Item> all(items);
  for (std::size_t start = 0; start < all.size(); start += k_slice)
    co_await inbox.publish_many(
        tx, events::payslip_events(run, all.subspan(start, std::min(k_slice, all.size() - start))));
}

// The run's stored totals are its items' sums (approval held exactly that net): a run whose
// items were changed behind its back must not pay.
void require_totals_of_items(const Run& run, const std::vector<Item>& items) {
  std::int64_t net = 0;
  for (const auto& item : items)
    PAYROLLX_INVARIANT(!__builtin_add_overflow(net, item.amounts.net, &net),
                       "a run's items' nets overflow");
  PAYROLLX_INVARIANT(net == run.totals.net, "a run's total net is not the sum of its items");
  PAYROLLX_INVARIANT(static_cast<std::int64_t>(items.size()) == run.employee_count,
                     "a run's items are not as many as its employee count");
}

}  // namespace

// The employees' notices, a slice of the items at a time: a run of 100,000 employees never holds
// all its notices (and their statement's text arrays) in memory at once.
awaitable<void> Service::notify_employees(db::Tx& tx, const Run& run,
                                          const std::vector<Item>& items,
                                          std::string_view event_type) {
  constexpr std::size_t k_slice = 5000;
  auto users = co_await parts_.employees.portal_users(tx, run.organization_id, employees_of(items));
  const std::map<Uuid, Uuid> user_of(users.begin(), users.end());
  users.clear();
  users.shrink_to_fit();
  const std::span<const Item> all(items);
  for (std::size_t start = 0; start < all.size(); start += k_slice) {
    auto slice = all.subspan(start, std::min(k_slice, all.size() - start));
    co_await parts_.inbox.enqueue_many(tx,
                                       events::employee_notices(run, slice, user_of, event_type));
  }
}

awaitable<Run> Service::execute(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                const compliance::Actor& actor) {
  auto before = co_await lock_run(tx, organization_id, run_id);
  require_status(before, RunStatus::approved);
  if (!before.treasury_wallet_id) throw std::logic_error("an approved run without a treasury");
  tx.use_bulk_memory();  // every statement below takes all the run's items at once
  auto items = co_await all_items(tx, before);
  require_totals_of_items(before, items);

  // The approval's hold becomes the payments: pay_payroll releases it (once every wallet is
  // locked) and spends it in the same transaction, so no other movement can take the money.
  std::vector<transaction::Payment> payments;
  std::vector<Uuid> paid_items, transaction_ids, unpaid_items;
  for (auto& item : items) {
    if (item.amounts.net <= 0) {  // a zero net is paid without a transaction
      unpaid_items.push_back(item.id);
      continue;
    }
    item.transaction_id = Uuid::random();
    payments.push_back({.transaction_id = *item.transaction_id,
                        .wallet_id = item.wallet_id,
                        .amount = item.amounts.net});
    paid_items.push_back(item.id);
    transaction_ids.push_back(*item.transaction_id);
  }
  if (!payments.empty())
    co_await parts_.transactions.pay_payroll(tx, organization_id, before.id,
                                             *before.treasury_wallet_id, before.currency, payments,
                                             actor);
  const auto marked = co_await store::mark_items_paid(tx, organization_id, before.id, paid_items,
                                                      transaction_ids, unpaid_items);
  PAYROLLX_INVARIANT(marked == static_cast<std::int64_t>(items.size()),
                     "payroll items changed under the run's lock");
  auto after = co_await store::mark_completed(tx, organization_id, before.id, actor.user_id);

  co_await notify_employees(tx, after, items, "payroll.payslip.available");
  const std::vector<std::optional<Uuid>> members{after.created_by, after.approved_by};
  co_await parts_.inbox.enqueue_many(
      tx, events::member_notices(after, "payroll.run.completed", members));
  co_await parts_.inbox.publish(tx, events::run_event(after, "payroll.run.completed"));
  co_await publish_payslips(parts_.inbox, tx, after, items);
  co_await parts_.audit.append(tx, events::run_entry("payroll.run.executed", before, after, actor));
  co_return after;
}

awaitable<Run> Service::reverse(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                const std::string& reason, const compliance::Actor& actor) {
  auto before = co_await lock_run(tx, organization_id, run_id);
  require_status(before, RunStatus::completed);
  if (before.imported)
    throw invalid_state(
        "An imported legacy run is history: it was paid on chain, outside PayrollX's wallets, "
        "and cannot be reversed here.");
  if (!before.treasury_wallet_id) throw std::logic_error("a completed run without a treasury");
  tx.use_bulk_memory();
  auto items = co_await all_items(tx, before);

  std::vector<transaction::PaymentReversal> reversals;
  std::vector<Uuid> reversed_items, reversal_ids, unpaid_items;
  for (const auto& item : items) {
    if (!item.transaction_id) {
      unpaid_items.push_back(item.id);
      continue;
    }
    reversals.push_back({.reversal_id = Uuid::random(),
                         .original_id = *item.transaction_id,
                         .wallet_id = item.wallet_id,
                         .amount = item.amounts.net});
    reversed_items.push_back(item.id);
    reversal_ids.push_back(reversals.back().reversal_id);
  }
  const std::string why = reason.empty() ? std::string(k_default_reversal_reason) : reason;
  if (!reversals.empty()) {
    auto short_wallets = co_await parts_.transactions.reverse_payroll(
        tx, organization_id, before.id, *before.treasury_wallet_id, before.currency, reversals, why,
        actor);
    if (!short_wallets.empty()) {
      // Some employees already spent or withdrew their pay: nothing is reversed (the caller's
      // transaction rolls back), and the answer says whose money is missing.
      std::map<Uuid, const Item*> item_of_wallet;
      for (const auto& item : items) item_of_wallet[item.wallet_id] = &item;
      boost::json::array employees;
      std::int64_t required = 0, available = 0;
      for (const auto& wallet_id : short_wallets) {
        auto wallet = co_await parts_.wallets.get(tx, organization_id, wallet_id);
        const auto* item = item_of_wallet.at(wallet_id);
        required += item->amounts.net;
        available += std::max<std::int64_t>(0, std::min(wallet.available(), item->amounts.net));
        employees.push_back({{"employeeId", item->employee_id.str()},
                             {"walletId", wallet_id.str()},
                             {"required", item->amounts.net},
                             {"available", wallet.available()}});
      }
      auto problem = insufficient_funds(
          required, available,
          fmt::format("{} employee wallet(s) no longer hold the pay to reverse; nothing was "
                      "reversed.",
                      employees.size()));
      problem.with("employees", std::move(employees));
      throw problem;
    }
  }
  const auto marked = co_await store::mark_items_reversed(
      tx, organization_id, before.id, reversed_items, reversal_ids, unpaid_items);
  PAYROLLX_INVARIANT(marked == static_cast<std::int64_t>(items.size()),
                     "payroll items changed under the run's lock");
  auto after = co_await store::mark_reversed(tx, organization_id, before.id, actor.user_id);

  co_await notify_employees(tx, after, items, "payroll.run.reversed");
  co_await parts_.inbox.publish(tx, events::run_event(after, "payroll.run.reversed"));
  auto entry = events::run_entry("payroll.run.reversed", before, after, actor);
  entry.after.as_object()["reason"] = why;
  co_await parts_.audit.append(tx, std::move(entry));
  co_return after;
}

}  // namespace payrollx::payroll
