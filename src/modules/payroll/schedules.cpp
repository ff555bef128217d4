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
  std::optional<db::Result> inserted;
  try {
    inserted.emplace(co_await tx.query(store::k_insert_schedule, Uuid::random(), organization_id,
                                       input.name, input.frequency, input.first_period_start,
                                       input.pay_date_offset_days, *currency, input.auto_execute));
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto created = store::schedule_from(inserted->one());
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
    auto in_use = co_await tx.query(store::k_schedule_in_use, organization_id, schedule_id);
    if (in_use.one().get<bool>("in_use"))
      throw invalid_state(
          "The schedule's frequency, first period and currency cannot change once a run uses "
          "it; create another schedule instead.");
    wanted.next_period_start = wanted.first_period_start;
  }
  std::optional<db::Result> updated;
  try {
    updated.emplace(co_await tx.query(
        store::k_update_schedule, organization_id, schedule_id, wanted.name, wanted.frequency,
        wanted.first_period_start, wanted.pay_date_offset_days, wanted.currency,
        wanted.auto_execute, wanted.status, wanted.next_period_start));
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto after = store::schedule_from(updated->one());
  co_await parts_.audit.append(
      tx, events::schedule_entry("payroll.schedule_updated", before, after, actor));
  co_return after;
}

awaitable<std::vector<Schedule>> Service::schedules(const Uuid& organization_id,
                                                    const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  auto result = co_await parts_.pool.query(store::k_select_schedules, organization_id,
                                           after_created_at, after_id, page.limit + 1);
  std::vector<Schedule> schedules;
  schedules.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) schedules.push_back(store::schedule_from(row));
  co_return schedules;
}

}  // namespace payrollx::payroll
