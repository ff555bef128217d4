// A payroll run's money, set-based: whatever the number of employees, paying a run is four
// statements (lock the wallets, release the hold, insert the transactions, post every leg),
// nothing per employee, and so is reversing one.
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/transaction/store.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::transaction {

using boost::asio::awaitable;

awaitable<void> Service::pay_payroll(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                     const Uuid& treasury_wallet_id, const std::string& currency,
                                     const std::vector<Payment>& payments,
                                     const compliance::Actor& actor) {
  if (payments.empty()) co_return;
  std::vector<Uuid> wallet_ids;
  std::vector<wallet::Leg> legs;
  wallet_ids.reserve(payments.size() + 1);
  legs.reserve(2 * payments.size());
  wallet_ids.push_back(treasury_wallet_id);
  for (const auto& payment : payments) {
    if (payment.amount <= 0) throw std::logic_error("a payroll payment of zero or less");
    wallet_ids.push_back(payment.wallet_id);
    // The treasury's debit first: its entries carry the running balance of the run.
    legs.push_back({treasury_wallet_id, -payment.amount, payment.transaction_id});
    legs.push_back({payment.wallet_id, payment.amount, payment.transaction_id});
  }
  co_await wallets_.lock_all(tx, organization_id, wallet_ids);
  const auto held = co_await wallets_.release(tx, organization_id, run_id);
  std::int64_t total = 0;
  for (const auto& payment : payments)
    if (__builtin_add_overflow(total, payment.amount, &total))
      throw std::logic_error("a payroll run's total beyond int64");
  if (held != total)
    throw std::logic_error("a payroll run's hold does not match its payments' total");
  co_await store::insert_payments(tx, organization_id, run_id, currency, treasury_wallet_id,
                                  payments, actor.user_id);
  // Hundreds of thousands of entries are written, none read back: the legs are balanced pairs on
  // wallets locked above.
  auto posting = co_await wallets_.try_post(tx, organization_id, legs, false);
  if (!posting.shortages.empty()) {
    const auto& shortage = posting.shortages.front();
    throw insufficient_funds(shortage.required, shortage.available);
  }
}

awaitable<std::vector<Uuid>> Service::reverse_payroll(
    db::Tx& tx, const Uuid& organization_id, const Uuid& run_id, const Uuid& treasury_wallet_id,
    const std::string& currency, const std::vector<PaymentReversal>& reversals,
    const std::string& reason, const compliance::Actor& actor) {
  if (reversals.empty()) co_return std::vector<Uuid>{};
  std::vector<Uuid> wallet_ids;
  std::vector<wallet::Leg> legs;
  wallet_ids.push_back(treasury_wallet_id);
  for (const auto& reversal : reversals) {
    wallet_ids.push_back(reversal.wallet_id);
    legs.push_back({reversal.wallet_id, -reversal.amount, reversal.reversal_id});
    legs.push_back({treasury_wallet_id, reversal.amount, reversal.reversal_id});
  }
  co_await wallets_.lock_all(tx, organization_id, wallet_ids);
  co_await store::insert_payment_reversals(tx, organization_id, run_id, currency,
                                           treasury_wallet_id, reversals, reason, actor.user_id);
  auto posting = co_await wallets_.try_post(tx, organization_id, legs, false);
  if (!posting.shortages.empty()) {
    std::vector<Uuid> short_wallets;
    for (const auto& shortage : posting.shortages) short_wallets.push_back(shortage.wallet_id);
    co_return short_wallets;
  }
  const auto marked =
      co_await store::mark_payments_reversed(tx, organization_id, run_id, reversals);
  if (marked != static_cast<std::int64_t>(reversals.size()))
    throw invalid_state("A payment of the run is not a completed, unreversed payroll payment.");
  co_return std::vector<Uuid>{};
}

}  // namespace payrollx::transaction
