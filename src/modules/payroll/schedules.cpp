// Pay schedules: the periods regular runs pay, how long after a period its pay date falls, and
// whether the schedule drafts runs (ACTIVE) or is paused.
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/events.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

// The unique name index or the currency reference refused the row: the client's mistake.
[[noreturn]] void throw_refused(const db::Error& error) {
  if (error.is_unique_violation() && error.constraint() == store::k_schedule_name_index)
    throw conflict("Another pay schedule of the organisation has this name.",
                   {{"name", "is already used by another pay schedule"}});
  if (error.is_foreign_key_violation())
    throw validation_failed("currency", "is not a known currency");
  throw error;
}

Schedule patched(Schedule schedule, const SchedulePatch& patch) {
  if (patch.name) schedule.name = *patch.name;
  if (patch.status) schedule.status = *patch.status;
  if (patch.auto_execute) schedule.auto_execute = *patch.auto_execute;
  if (patch.pay_date_offset_days) schedule.pay_date_offset_days = *patch.pay_date_offset_days;
  if (patch.frequency) schedule.frequency = *patch.frequency;
  if (patch.first_period_start) schedule.first_period_start = *patch.first_period_start;
  if (patch.currency) schedule.currency = *patch.currency;
  return schedule;
}

bool periods_changed(const Schedule& before, const Schedule& after) {
  return before.frequency != after.frequency ||
         before.first_period_start != after.first_period_start || before.currency != after.currency;
}

bool same_content(const Schedule& a, const Schedule& b) {
  return a.name == b.name && a.status == b.status && a.auto_execute == b.auto_execute &&
         a.pay_date_offset_days == b.pay_date_offset_days && !periods_changed(a, b);
}

}  // namespace

awaitable<Schedule> Service::create_schedule(db::Tx& tx, const Uuid& organization_id,
                                             const NewSchedule& input,
                                             const compliance::Actor& actor) {
  auto currency = input.currency;
  if (!currency)
    currency = (co_await parts_.organizations.settings(tx, organization_id)).base_currency;
  const auto schedule_id = Uuid::random();
  std::optional<Schedule> inserted;
  try {
    inserted = co_await store::insert_schedule(tx, schedule_id, organization_id, input, *currency);
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto created = std::move(*inserted);
  co_await parts_.audit.append(
      tx, events::schedule_entry("payroll.schedule_created", std::nullopt, created, actor));
  co_return created;
}

awaitable<Schedule> Service::update_schedule(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& schedule_id, const SchedulePatch& patch,
                                             const compliance::Actor& actor) {
  auto before = co_await schedule(tx, organization_id, schedule_id, true);
  auto wanted = patched(before, patch);
  if (same_content(before, wanted)) co_return before;
  if (periods_changed(before, wanted)) {
    // Runs were drafted for the old periods in the old currency: changing what they mean under
    // them would leave runs that belong to no period of their schedule.
    const bool in_use = co_await store::schedule_in_use(tx, organization_id, schedule_id);
    if (in_use)
      throw invalid_state(
          "The schedule's frequency, first period and currency cannot change once a run uses "
          "it; create another schedule instead.");
    wanted.next_period_start = wanted.first_period_start;
  }
  std::optional<Schedule> updated;
  try {
    updated = co_await store::update_schedule(tx, wanted);
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto after = std::move(*updated);
  co_await parts_.audit.append(
      tx, events::schedule_entry("payroll.schedule_updated", before, after, actor));
  co_return after;
}

awaitable<std::vector<Schedule>> Service::schedules(const Uuid& organization_id,
                                                    const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  co_return co_await store::select_schedules(parts_.pool, organization_id, after_created_at,
                                             after_id, page.limit + 1);
}

}  // namespace payrollx::payroll
