// Drafting runs: the preview, creation and recalculation. Each reads the schedule, the
// organisation's settings, the tax table and the roster (two statements whatever the number of
// employees) in the caller's transaction, calculates (drafting.cpp), and writes the run and all
// of its items in one statement each.
#include <fmt/format.h>

#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/drafting.hpp"
#include "modules/payroll/encoding.hpp"
#include "modules/payroll/events.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

[[noreturn]] void throw_refused(const db::Error& error) {
  if (error.is_unique_violation() && error.constraint() == store::k_run_period_index)
    throw conflict(
        "The schedule already has a REGULAR run for this period (cancel it to draft another).");
  throw error;
}

// A stored run, as a request again: what recalculation calculates.
RunRequest request_of(const Run& run) {
  RunRequest request{.type = run.type,
                     .schedule_id = run.schedule_id,
                     .period_start = run.period_start,
                     .period_end = run.period_end,
                     .pay_date = run.pay_date,
                     .currency = run.currency,
                     .employee_ids = std::nullopt,
                     .items = std::nullopt};
  encoding::restore_lists(run.request, request);
  return request;
}

}  // namespace

awaitable<Draft> Service::calculate(db::Tx& tx, const Uuid& organization_id,
                                    const RunRequest& request,
                                    const std::optional<Schedule>& schedule) {
  auto header = drafting::resolve(request, schedule);
  const bool known = co_await store::currency_known(tx, header.currency);
  if (!known) throw validation_failed("currency", "is not a known currency");
  auto settings = co_await parts_.organizations.settings(tx, organization_id);
  auto table =
      co_await parts_.tax_tables.effective(tx, organization_id, header.currency, header.period.end);
  auto roster =
      co_await parts_.employees.roster(tx, organization_id, drafting::named_employees(request));
  drafting::require_known(request, roster);
  auto calculated = drafting::calculate(request, header, roster, settings.kyc_required_for_payroll,
                                        drafting::tax_table_of(table));

  Draft draft;
  auto& run = draft.run;
  run.id = Uuid::random();
  run.organization_id = organization_id;
  run.type = request.type;
  run.status = RunStatus::draft;
  run.schedule_id = request.schedule_id;
  run.period_start = header.period.start;
  run.period_end = header.period.end;
  run.pay_date = header.pay_date;
  run.currency = header.currency;
  run.frequency = header.frequency;
  run.request = encoding::request(request);
  run.totals = calculated.totals;
  run.employee_count = static_cast<std::int64_t>(calculated.items.size());
  run.skipped = std::move(calculated.skipped);
  draft.items = std::move(calculated.items);
  for (auto& item : draft.items) item.run_id = run.id;
  co_return draft;
}

awaitable<Draft> Service::preview(db::Tx& tx, const Uuid& organization_id,
                                  const RunRequest& request) {
  std::optional<Schedule> found;
  if (request.schedule_id)
    found = co_await schedule(tx, organization_id, *request.schedule_id, false);
  co_return co_await calculate(tx, organization_id, request, found);
}

awaitable<Run> Service::create_run(db::Tx& tx, const Uuid& organization_id,
                                   const RunRequest& request, const compliance::Actor& actor) {
  // Locked: runs of one schedule are drafted one after the other, so the second REGULAR run of
  // a period meets the first one's committed row in the unique index (409), and a schedule's
  // periods cannot change while a run is drafted from them.
  std::optional<Schedule> found;
  if (request.schedule_id)
    found = co_await schedule(tx, organization_id, *request.schedule_id, true);
  tx.use_bulk_memory();  // the roster and the items, whole
  auto draft = co_await calculate(tx, organization_id, request, found);
  const auto& run = draft.run;
  std::optional<Run> inserted;
  try {
    inserted = co_await store::insert_run(tx, run, actor.user_id);
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto created = std::move(*inserted);
  co_await store::insert_items(tx, organization_id, run.id, draft.items);
  if (found && run.type == "REGULAR") {
    const auto period = Period{run.period_start, run.period_end};
    const auto next = next_period(found->frequency, found->first_period_start, period);
    co_await store::advance_schedule(tx, organization_id, found->id, next.start);
  }
  co_await parts_.audit.append(
      tx, events::run_entry("payroll.run.created", std::nullopt, created, actor));
  co_await parts_.inbox.publish(tx, events::run_event(created, "payroll.run.created"));
  co_return created;
}

awaitable<Run> Service::recalculate(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                    const compliance::Actor& actor) {
  auto before = co_await lock_draft(tx, organization_id, run_id);
  std::optional<Schedule> found;
  if (before.schedule_id)
    found = co_await schedule(tx, organization_id, *before.schedule_id, false);
  tx.use_bulk_memory();
  auto draft = co_await calculate(tx, organization_id, request_of(before), found);
  draft.run.id = before.id;
  for (auto& item : draft.items) item.run_id = before.id;
  co_await store::delete_items(tx, organization_id, before.id);
  co_await store::insert_items(tx, organization_id, before.id, draft.items);
  auto after = co_await store::update_calculation(tx, draft.run);
  co_await parts_.audit.append(tx,
                               events::run_entry("payroll.run.recalculated", before, after, actor));
  co_return after;
}

}  // namespace payrollx::payroll
