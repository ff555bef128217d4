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
  if ((co_await tx.query(store::k_select_currency, header.currency)).empty())
    throw validation_failed("currency", "is not a known currency");
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

awaitable<void> Service::insert_items(db::Tx& tx, const Uuid& organization_id, const Draft& draft) {
  if (draft.items.empty()) co_return;
  const auto n = draft.items.size();
  std::vector<Uuid> ids, employee_ids, wallet_ids;
  std::vector<std::int64_t> positions, base, earnings, gross, pre_tax, taxable, tax, post_tax, net;
  std::vector<std::string> lines;
  for (auto* column : {&ids, &employee_ids, &wallet_ids}) column->reserve(n);
  for (auto* column :
       {&positions, &base, &earnings, &gross, &pre_tax, &taxable, &tax, &post_tax, &net})
    column->reserve(n);
  lines.reserve(n);
  for (const auto& item : draft.items) {
    const auto& a = item.amounts;
    ids.push_back(item.id);
    employee_ids.push_back(item.employee_id);
    wallet_ids.push_back(item.wallet_id);
    positions.push_back(item.position);
    base.push_back(a.base_pay);
    earnings.push_back(a.earnings);
    gross.push_back(a.gross);
    pre_tax.push_back(a.pre_tax_deductions);
    taxable.push_back(a.taxable);
    tax.push_back(a.tax);
    post_tax.push_back(a.post_tax_deductions);
    net.push_back(a.net);
    lines.push_back(boost::json::serialize(encoding::lines(a.lines)));
  }
  co_await tx.query(store::k_insert_items, organization_id, draft.run.id, ids, employee_ids,
                    wallet_ids, positions, base, earnings, gross, pre_tax, taxable, tax, post_tax,
                    net, lines);
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
  auto draft = co_await calculate(tx, organization_id, request, found);
  const auto& run = draft.run;
  const auto skipped = boost::json::value(encoding::skipped(run.skipped));
  const auto stored_request = boost::json::value(run.request);
  std::optional<db::Result> inserted;
  try {
    inserted.emplace(co_await tx.query(
        store::k_insert_run, run.id, organization_id, run.type, run.schedule_id, run.period_start,
        run.period_end, run.pay_date, run.currency, run.frequency, stored_request, run.totals.gross,
        run.totals.pre_tax_deductions, run.totals.tax, run.totals.post_tax_deductions,
        run.totals.net, run.employee_count, skipped, actor.user_id));
  } catch (const db::Error& e) {
    throw_refused(e);
  }
  auto created = store::run_from(inserted->one());
  co_await insert_items(tx, organization_id, draft);
  if (found && run.type == "REGULAR") {
    const auto period = Period{run.period_start, run.period_end};
    const auto next = next_period(found->frequency, found->first_period_start, period);
    co_await tx.query(store::k_advance_schedule, organization_id, found->id, next.start);
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
  auto draft = co_await calculate(tx, organization_id, request_of(before), found);
  draft.run.id = before.id;
  for (auto& item : draft.items) item.run_id = before.id;
  co_await tx.query(store::k_delete_items, organization_id, before.id);
  co_await insert_items(tx, organization_id, draft);
  const auto& totals = draft.run.totals;
  const auto skipped = boost::json::value(encoding::skipped(draft.run.skipped));
  auto updated =
      co_await tx.query(store::k_update_calculation, organization_id, before.id, totals.gross,
                        totals.pre_tax_deductions, totals.tax, totals.post_tax_deductions,
                        totals.net, draft.run.employee_count, skipped);
  auto after = store::run_from(updated.one());
  co_await parts_.audit.append(tx,
                               events::run_entry("payroll.run.recalculated", before, after, actor));
  co_return after;
}

}  // namespace payrollx::payroll
