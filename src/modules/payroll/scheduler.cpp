// Scheduled payroll, run by a background job in every server instance: a schedule drafts the
// REGULAR run of each period once it has ended and, with autoExecute, executes its APPROVED runs
// on their pay date, each exactly once.
//
// Exactly once with several instances: each piece of work is claimed by locking its row with
// FOR UPDATE SKIP LOCKED in the transaction that does the work. An instance that finds the row
// locked skips it (another one is on it); one that gets the lock re-checks the state under it
// (the schedule's next period, the run still APPROVED), so work committed by another instance
// meanwhile is never done twice; and the unique index on (schedule, period) backs the drafting
// up. Nothing is coordinated in memory.
//
// Days are the organisation's: a period is over, and a pay date has come, by the date in its
// time zone (organisation settings). Candidates are read with the latest date it is anywhere
// (UTC+14), and each is checked against its own organisation's date once claimed.
#include <fmt/format.h>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/drafting.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

// Work per tick and kind: a backlog (a schedule started months ago) is caught up over a few
// ticks rather than in one long burst.
constexpr int k_batch = 100;

compliance::Actor scheduler_actor() {
  return {.user_id = std::nullopt, .request_id = "scheduler"};
}

void log_failure(std::string_view what, const store::Due& claim, const std::exception& e) {
  log::warn("payroll.scheduler_failed", {{"what", what},
                                         {"org", claim.organization_id.str()},
                                         {"id", claim.id.str()},
                                         {"error", e.what()}});
}

// The furthest ahead of UTC a time zone is (Pacific/Kiritimati).
constexpr std::chrono::hours k_furthest_offset{14};

Date latest_date_anywhere(Timestamp now) {
  return Date{std::chrono::floor<std::chrono::days>(now + k_furthest_offset)};
}

}  // namespace

awaitable<Date> Service::local_date(db::Tx& tx, const Uuid& organization_id, Timestamp now) {
  auto settings = co_await parts_.organizations.settings(tx, organization_id);
  co_return co_await store::local_date(tx, now, settings.timezone);
}

awaitable<Service::SchedulerTick> Service::run_due(Timestamp now) {
  SchedulerTick tick;
  auto& pool = parts_.pool;
  const auto latest = latest_date_anywhere(now);

  // A suspended organisation's schedules and runs wait; they are due again once it is active.
  const auto suspended_set = co_await parts_.organizations.suspended();
  const std::vector<Uuid> suspended(suspended_set.begin(), suspended_set.end());

  auto schedules = co_await store::select_due_schedules(pool, latest, k_batch, suspended);
  for (const auto& claim : schedules) {
    auto draft = [&](db::Tx& tx) -> awaitable<bool> {
      auto claimed = co_await store::claim_schedule(tx, claim.organization_id, claim.id);
      if (!claimed) co_return false;  // another instance holds it, or it was paused
      const auto& schedule = *claimed;
      auto period = drafting::period_starting(schedule, schedule.next_period_start);
      if (!period) co_return false;
      auto today = co_await local_date(tx, claim.organization_id, now);
      if (!(period->end < today)) co_return false;  // not over yet where the organisation is
      RunRequest request{.type = "REGULAR", .schedule_id = schedule.id};
      co_await create_run(tx, claim.organization_id, request, scheduler_actor());
      co_return true;
    };
    try {
      if (co_await pool.transaction(draft)) ++tick.drafted;
    } catch (const std::exception& e) {
      log_failure("draft", claim, e);
    }
  }

  auto runs = co_await store::select_due_runs(pool, latest, k_batch, suspended);
  for (const auto& claim : runs) {
    auto run = [&](db::Tx& tx) -> awaitable<bool> {
      auto pay_date = co_await store::claim_run(tx, claim.organization_id, claim.id);
      if (!pay_date) co_return false;  // another instance is executing it, or did
      auto today = co_await local_date(tx, claim.organization_id, now);
      if (*pay_date > today) co_return false;  // not yet, where it is
      co_await execute(tx, claim.organization_id, claim.id, scheduler_actor());
      co_return true;
    };
    try {
      if (co_await pool.transaction(run)) ++tick.executed;
    } catch (const std::exception& e) {
      log_failure("execute", claim, e);
    }
  }
  if (tick.drafted > 0 || tick.executed > 0)
    log::info("payroll.scheduled", {{"drafted", tick.drafted}, {"executed", tick.executed}});
  co_return tick;
}

}  // namespace payrollx::payroll
