#pragma once
// The payroll module's storage (schema payroll, plus the core.currencies reference table): typed
// functions over pay schedules (schedule_store.cpp), runs (run_store.cpp), their items
// (item_store.cpp) and the reference data and date arithmetic they lean on
// (reference_store.cpp), their SQL private to those files. Every statement filters on the
// organisation, except the scheduler's searches across organisations; bulk writes bind arrays.
// Private to the payroll module.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll::store {

// Unique indexes whose violation (a db::Error) is the client's conflict.
inline constexpr std::string_view k_schedule_name_index = "pay_schedules_name_key";
inline constexpr std::string_view k_run_period_index = "payroll_runs_period_key";

// A schedule or run that the scheduler found due, in some organisation.
struct Due {
  Uuid organization_id;
  Uuid id;
};

// Reference data and dates.

boost::asio::awaitable<bool> currency_known(db::Tx& tx, const std::string& code);
// The currency's scale (its number of decimals).
boost::asio::awaitable<int> select_scale(db::Pool& pool, const std::string& code);
// The date it is at `now` in the IANA time zone `timezone`.
boost::asio::awaitable<Date> local_date(db::Tx& tx, Timestamp now, const std::string& timezone);

// Pay schedules.

// Stores the schedule `id` in `currency` (the input's, or the organisation's base currency), its
// first period next. Throws db::Error: a unique violation on a taken name, a foreign-key
// violation on an unknown currency.
boost::asio::awaitable<Schedule> insert_schedule(db::Tx& tx, const Uuid& id,
                                                 const Uuid& organization_id,
                                                 const NewSchedule& input,
                                                 const std::string& currency);
// None when the schedule is not the organisation's.
boost::asio::awaitable<std::optional<Schedule>> select_schedule(db::Session& session,
                                                                const Uuid& organization_id,
                                                                const Uuid& id);
// The same, locked until COMMIT (NO KEY UPDATE: inserting runs that point at it is not blocked).
boost::asio::awaitable<std::optional<Schedule>> lock_schedule(db::Session& session,
                                                              const Uuid& organization_id,
                                                              const Uuid& id);
// Stores every field of `wanted` but its ids and times; answers the stored row. Throws db::Error
// as insert_schedule does.
boost::asio::awaitable<Schedule> update_schedule(db::Tx& tx, const Schedule& wanted);
// Moves the schedule's next period to `next_period_start`, unless it is already past it.
boost::asio::awaitable<void> advance_schedule(db::Tx& tx, const Uuid& organization_id,
                                              const Uuid& id, Date next_period_start);
// Up to `limit` schedules, newest first, after the keyset (created_at, id) of the previous
// page's last row.
boost::asio::awaitable<std::vector<Schedule>> select_schedules(
    db::Pool& pool, const Uuid& organization_id, const std::optional<Timestamp>& after_created_at,
    const std::optional<Uuid>& after_id, int limit);
// Whether a run that is not cancelled uses the schedule.
boost::asio::awaitable<bool> schedule_in_use(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& id);
// Up to `limit` active schedules, across organisations but the suspended ones, whose next period
// may be over on `latest` (the latest date it is anywhere); oldest period first. Whether it is
// over where its organisation is remains to be checked.
boost::asio::awaitable<std::vector<Due>> select_due_schedules(db::Pool& pool, Date latest,
                                                              int limit,
                                                              const std::vector<Uuid>& suspended);
// The schedule, locked for this instance while still ACTIVE; none when another instance holds
// it or it was paused meanwhile.
boost::asio::awaitable<std::optional<Schedule>> claim_schedule(db::Tx& tx,
                                                               const Uuid& organization_id,
                                                               const Uuid& id);

// Payroll runs.

// Stores the drafted `run` (its id, organisation, fields, totals and skipped list), created by
// `created_by` (none: the scheduler). Throws db::Error: a unique violation when the schedule
// already has a REGULAR run for the period.
boost::asio::awaitable<Run> insert_run(db::Tx& tx, const Run& run,
                                       const std::optional<Uuid>& created_by);
// None when the run is not the organisation's.
boost::asio::awaitable<std::optional<Run>> select_run(db::Session& session,
                                                      const Uuid& organization_id, const Uuid& id);
boost::asio::awaitable<std::optional<Run>> select_run(db::Pool& pool, const Uuid& organization_id,
                                                      const Uuid& id);
// The same, locked until COMMIT (FOR UPDATE): every change of a run starts here.
boost::asio::awaitable<std::optional<Run>> lock_run(db::Tx& tx, const Uuid& organization_id,
                                                    const Uuid& id);
// Stores the recalculated totals, employee count and skipped list of `run`.
boost::asio::awaitable<Run> update_calculation(db::Tx& tx, const Run& run);
boost::asio::awaitable<Run> mark_approved(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                          const std::optional<Uuid>& approved_by,
                                          const Uuid& treasury_wallet_id);
boost::asio::awaitable<Run> mark_cancelled(db::Tx& tx, const Uuid& organization_id, const Uuid& id);
boost::asio::awaitable<Run> mark_completed(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                           const std::optional<Uuid>& executed_by);
boost::asio::awaitable<Run> mark_reversed(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                          const std::optional<Uuid>& reversed_by);
// Up to `limit` runs matching the filter, newest first, after the keyset (created_at, id) of
// the previous page's last row.
boost::asio::awaitable<std::vector<Run>> select_runs(
    db::Pool& pool, const Uuid& organization_id, const RunFilter& filter,
    const std::optional<Timestamp>& after_created_at, const std::optional<Uuid>& after_id,
    int limit);
// Up to `limit` runs that paid the employee (COMPLETED, or since REVERSED), newest pay date
// first, after the keyset (pay_date, id) of the previous page's last row.
boost::asio::awaitable<std::vector<Run>> select_paid_runs_of(
    db::Tx& tx, const Uuid& organization_id, const Uuid& employee_id,
    const std::optional<Date>& after_pay_date, const std::optional<Uuid>& after_id, int limit);
// Up to `limit` APPROVED REGULAR runs of active autoExecute schedules, across organisations but
// the suspended ones, whose pay date is on or before `latest`; earliest pay date first.
boost::asio::awaitable<std::vector<Due>> select_due_runs(db::Pool& pool, Date latest, int limit,
                                                         const std::vector<Uuid>& suspended);
// The run's pay date, the run locked for this instance while still APPROVED; none when another
// instance is executing it (or did).
boost::asio::awaitable<std::optional<Date>> claim_run(db::Tx& tx, const Uuid& organization_id,
                                                      const Uuid& id);

// Payroll items.

// Stores every item of the run in one statement (none: nothing is sent).
boost::asio::awaitable<void> insert_items(db::Tx& tx, const Uuid& organization_id,
                                          const Uuid& run_id, const std::vector<Item>& items);
boost::asio::awaitable<void> delete_items(db::Tx& tx, const Uuid& organization_id,
                                          const Uuid& run_id);
// Every item of the run, in order, without its lines (amounts.lines is empty): what paying and
// reversing the run need, without reading and decoding the lines of 10,000s of items.
boost::asio::awaitable<std::vector<Item>> select_items_to_pay(db::Tx& tx,
                                                              const Uuid& organization_id,
                                                              const Uuid& run_id);
// Up to `limit` items of the run in order, after the item `after`.
boost::asio::awaitable<std::vector<Item>> select_items_page(db::Tx& tx, const Uuid& organization_id,
                                                            const Uuid& run_id,
                                                            const std::optional<Uuid>& after,
                                                            int limit);
// An item that must not be paid as it is.
struct BlockingItem {
  Uuid employee_id;
  std::int64_t net = 0;
};
// The run's items with a negative net or a net above `cap` (none: no cap), in order.
boost::asio::awaitable<std::vector<BlockingItem>> select_blocking_items(
    db::Tx& tx, const Uuid& organization_id, const Uuid& run_id, std::optional<std::int64_t> cap);
// The employee's item of the run; none when the run does not pay them.
boost::asio::awaitable<std::optional<Item>> select_item_of(db::Tx& tx, const Uuid& organization_id,
                                                           const Uuid& run_id,
                                                           const Uuid& employee_id);
// The employee's items of some runs.
boost::asio::awaitable<std::vector<Item>> select_items_of(db::Tx& tx, const Uuid& organization_id,
                                                          const Uuid& employee_id,
                                                          const std::vector<Uuid>& run_ids);
// Every PENDING item of the run becomes PAID: item_ids[i] with transaction_ids[i], those of
// unpaid_item_ids (a net of zero) without a transaction; answers how many changed.
boost::asio::awaitable<std::int64_t> mark_items_paid(db::Tx& tx, const Uuid& organization_id,
                                                     const Uuid& run_id,
                                                     const std::vector<Uuid>& item_ids,
                                                     const std::vector<Uuid>& transaction_ids,
                                                     const std::vector<Uuid>& unpaid_item_ids);
// Every PAID item of the run becomes REVERSED: item_ids[i] with its compensating transaction
// reversal_ids[i], those of unpaid_item_ids (paid without a transaction) without one; answers
// how many changed.
boost::asio::awaitable<std::int64_t> mark_items_reversed(db::Tx& tx, const Uuid& organization_id,
                                                         const Uuid& run_id,
                                                         const std::vector<Uuid>& item_ids,
                                                         const std::vector<Uuid>& reversal_ids,
                                                         const std::vector<Uuid>& unpaid_item_ids);
// Every PENDING item of the run becomes CANCELLED.
boost::asio::awaitable<void> cancel_items(db::Tx& tx, const Uuid& organization_id,
                                          const Uuid& run_id);
// For each of the runs, the employee's sums over the other COMPLETED runs in its currency paid
// in its calendar year up to its pay date (the run itself is not included).
boost::asio::awaitable<std::map<Uuid, YearToDate>> year_to_date(db::Tx& tx,
                                                                const Uuid& organization_id,
                                                                const Uuid& employee_id,
                                                                const std::vector<Uuid>& run_ids);

}  // namespace payrollx::payroll::store
