// Approval and cancellation. Approving holds the run's total net on the organisation's treasury
// (its ORGANIZATION wallet in the run's currency), so that the money is there when the run
// executes and nothing else can spend it meanwhile; cancelling gives it back.
#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/notification/notification.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/events.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

// 409 insufficient_funds with required, available, the shortfall and what it is about: approval
// is refused, changing nothing, when the treasury cannot hold the run's total net.
Problem treasury_short(std::string detail, std::int64_t required, std::int64_t available) {
  auto problem = insufficient_funds(required, available, std::move(detail));
  problem.with("shortfall", required - available);
  return problem;
}

// The net cap is money of the base currency; nothing is converted, so it binds the runs paid in
// that currency only.
std::optional<std::int64_t> net_cap(const organization::Settings& settings, const Run& run) {
  if (run.currency != settings.base_currency) return std::nullopt;
  return settings.max_net_per_employee;
}

// 409 invalid_state listing every item that must not be paid as it is.
awaitable<void> require_payable(db::Tx& tx, const Run& run, std::optional<std::int64_t> cap) {
  auto blocking = co_await store::select_blocking_items(tx, run.organization_id, run.id, cap);
  if (blocking.empty()) co_return;
  boost::json::array employees;
  for (const auto& item : blocking) {
    employees.push_back({{"employeeId", item.employee_id.str()},
                         {"net", item.net},
                         {"reason", item.net < 0 ? "negative_net" : "above_max_net"}});
  }
  auto problem = invalid_state(fmt::format(
      "{} employee(s) of the run have a negative net pay{}; fix their components "
      "and recalculate.",
      employees.size(), cap ? fmt::format(" or one above maxNetPerEmployee ({})", *cap) : ""));
  problem.with("employees", std::move(employees));
  throw problem;
}

}  // namespace

awaitable<Run> Service::approve(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                const compliance::Actor& actor) {
  auto before = co_await lock_draft(tx, organization_id, run_id);
  auto settings = co_await parts_.organizations.settings(tx, organization_id);
  if (settings.require_distinct_approver && before.created_by && before.created_by == actor.user_id)
    throw forbidden(
        "The organisation requires a run to be approved by someone other than its creator.");
  if (before.employee_count == 0)
    throw invalid_state("The payroll run pays nobody; there is nothing to approve.");
  co_await require_payable(tx, before, net_cap(settings, before));

  const auto required = before.totals.net;
  auto treasury = co_await parts_.wallets.find(tx, organization_id, wallet::OwnerType::organization,
                                               organization_id, before.currency);
  if (!treasury)
    throw treasury_short(fmt::format("The organisation has no treasury wallet in {}; open one "
                                     "and fund it.",
                                     before.currency),
                         required, 0);
  const std::vector<Uuid> treasury_ids{treasury->id};
  auto locked = (co_await parts_.wallets.lock(tx, organization_id, treasury_ids)).front();
  if (locked.available() < required)
    throw treasury_short(
        fmt::format("The treasury holds {} {} (minor units) available; the run needs {}.",
                    locked.available(), before.currency, required),
        required, locked.available());
  // A run whose every net is zero holds nothing (a hold is of a positive amount).
  if (required > 0)
    co_await parts_.wallets.hold(tx, organization_id, locked.id, before.id, required);

  auto after =
      co_await store::mark_approved(tx, organization_id, before.id, actor.user_id, locked.id);
  co_await parts_.audit.append(tx, events::run_entry("payroll.run.approved", before, after, actor));
  const std::vector<std::optional<Uuid>> creator{
      after.created_by == actor.user_id ? std::nullopt : after.created_by};
  co_await parts_.inbox.enqueue_many(
      tx, events::member_notices(after, "payroll.run.approved", creator));
  co_await parts_.inbox.publish(tx, events::run_event(after, "payroll.run.approved"));
  co_return after;
}

awaitable<Run> Service::cancel(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                               const compliance::Actor& actor) {
  auto before = co_await lock_run(tx, organization_id, run_id);
  if (before.status != RunStatus::draft && before.status != RunStatus::approved)
    throw invalid_state(
        fmt::format("The payroll run is {}; only DRAFT and APPROVED runs are cancelled.",
                    to_string(before.status)));
  if (before.status == RunStatus::approved && before.totals.net > 0)
    co_await parts_.wallets.release(tx, organization_id, before.id);
  tx.use_bulk_memory();  // every item of the run, and their check's transition table
  co_await store::cancel_items(tx, organization_id, before.id);
  auto after = co_await store::mark_cancelled(tx, organization_id, before.id);
  co_await parts_.audit.append(tx,
                               events::run_entry("payroll.run.cancelled", before, after, actor));
  co_return after;
}

}  // namespace payrollx::payroll
