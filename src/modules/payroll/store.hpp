#pragma once
// The payroll module's SQL (schema payroll, plus the core.currencies reference table) and the
// decoding of its rows. Every statement filters on the organisation; bulk writes bind arrays.
#include <string_view>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll::store {

// Unique indexes whose violation is the client's conflict.
inline constexpr std::string_view k_schedule_name_index = "pay_schedules_name_key";
inline constexpr std::string_view k_run_period_index = "payroll_runs_period_key";

// $1 currency code → a row when it is known.
constexpr db::Query k_select_currency{"payroll.select_currency",
                                      "SELECT code FROM core.currencies WHERE code = $1"};
// $1 code → scale (its number of decimals).
constexpr db::Query k_select_scale{"payroll.select_scale",
                                   "SELECT scale FROM core.currencies WHERE code = $1"};

#define PAYROLLX_SCHEDULE_COLUMNS                                                             \
  "id, organization_id, name, frequency, first_period_start, pay_date_offset_days, currency," \
  " auto_execute, status, next_period_start, created_at, updated_at"

// $1 id, $2 organization_id, $3 name, $4 frequency, $5 first_period_start (also the first
// next_period_start), $6 pay_date_offset_days, $7 currency, $8 auto_execute.
constexpr db::Query k_insert_schedule{
    "payroll.insert_schedule",
    "INSERT INTO payroll.pay_schedules (id, organization_id, name, frequency, first_period_start,"
    "  pay_date_offset_days, currency, auto_execute, next_period_start) "
    "VALUES ($1, $2, $3, $4, $5::date, $6::integer, $7, $8::boolean, $5::date) "
    "RETURNING " PAYROLLX_SCHEDULE_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_select_schedule{
    "payroll.select_schedule",
    "SELECT " PAYROLLX_SCHEDULE_COLUMNS
    " FROM payroll.pay_schedules WHERE organization_id = $1 AND id = $2"};

// $1 organization_id, $2 id. NO KEY UPDATE: runs point at the schedule, and their inserts must
// not wait on it for a reason unrelated to the key.
constexpr db::Query k_lock_schedule{"payroll.lock_schedule",
                                    "SELECT " PAYROLLX_SCHEDULE_COLUMNS
                                    " FROM payroll.pay_schedules "
                                    "WHERE organization_id = $1 AND id = $2 FOR NO KEY UPDATE"};

// $1 organization_id, $2 id, $3 name, $4 frequency, $5 first_period_start, $6 offset,
// $7 currency, $8 auto_execute, $9 status, $10 next_period_start.
constexpr db::Query k_update_schedule{
    "payroll.update_schedule",
    "UPDATE payroll.pay_schedules SET name = $3, frequency = $4, first_period_start = $5::date,"
    "  pay_date_offset_days = $6::integer, currency = $7, auto_execute = $8::boolean, status = $9,"
    "  next_period_start = $10::date, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_SCHEDULE_COLUMNS};

// The next period the scheduler drafts moves past a period drafted by hand. $1 organization_id,
// $2 id, $3 the start of the period after the drafted one.
constexpr db::Query k_advance_schedule{
    "payroll.advance_schedule",
    "UPDATE payroll.pay_schedules SET next_period_start = $3::date, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 AND next_period_start < $3::date"};

// $1 organization_id, $2/$3 keyset or NULL, $4 limit.
constexpr db::Query k_select_schedules{
    "payroll.select_schedules",
    "SELECT " PAYROLLX_SCHEDULE_COLUMNS
    " FROM payroll.pay_schedules WHERE organization_id = $1"
    "  AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $4"};

// The scheduler's candidates, across organisations (a system job, not a tenant's request):
// active schedules whose next period may be over — it started at least the shortest length of
// a period of its frequency before today (7, 14, 13 and 28 days; a semimonthly period ends on
// the 15th or the month's last day, computed exactly) — oldest first. The exact end is checked
// in C++; the bound keeps schedules in the middle of their period out of every batch.
// $1 the latest date it is anywhere (organisations' days follow their time zones), $2 limit,
// $3 the suspended organisations (left out).
constexpr db::Query k_select_due_schedules{
    "payroll.select_due_schedules",
    "SELECT organization_id, id FROM payroll.pay_schedules "
    "WHERE status = 'ACTIVE' AND organization_id <> ALL ($3::uuid[]) AND CASE frequency"
    "  WHEN 'WEEKLY' THEN next_period_start + 7 <= $1::date"
    "  WHEN 'BIWEEKLY' THEN next_period_start + 14 <= $1::date"
    "  WHEN 'SEMIMONTHLY' THEN CASE WHEN extract(day FROM next_period_start) <= 15"
    "    THEN date_trunc('month', next_period_start)::date + 15 <= $1::date"
    "    ELSE (date_trunc('month', next_period_start) + interval '1 month')::date <= $1::date END"
    "  ELSE next_period_start + 28 <= $1::date END "
    "ORDER BY next_period_start, id LIMIT $2"};

// One candidate schedule, locked for this instance, or no row when another instance holds it
// (or it was paused meanwhile). $1 organization_id, $2 id.
constexpr db::Query k_claim_schedule{"payroll.claim_schedule",
                                     "SELECT " PAYROLLX_SCHEDULE_COLUMNS
                                     " FROM payroll.pay_schedules "
                                     "WHERE organization_id = $1 AND id = $2 AND status = 'ACTIVE' "
                                     "FOR NO KEY UPDATE SKIP LOCKED"};

#undef PAYROLLX_SCHEDULE_COLUMNS

// APPROVED REGULAR runs of active autoExecute schedules whose pay date has come, across
// organisations (a paused schedule executes nothing by itself; off-cycle runs are executed by
// hand).
// $1 today, $2 limit, $3 the suspended organisations (left out).
constexpr db::Query k_select_due_runs{
    "payroll.select_due_runs",
    "SELECT r.organization_id, r.id FROM payroll.payroll_runs r "
    "JOIN payroll.pay_schedules s ON s.id = r.schedule_id AND s.organization_id = "
    "r.organization_id "
    "WHERE r.status = 'APPROVED' AND r.type = 'REGULAR' AND s.auto_execute"
    "  AND s.status = 'ACTIVE' AND r.pay_date <= $1::date"
    "  AND r.organization_id <> ALL ($3::uuid[]) "
    "ORDER BY r.pay_date, r.id LIMIT $2"};

// The date it is at instant $1 in time zone $2 (an IANA name, checked when it was set): an
// organisation's days, periods and pay dates follow its time zone.
constexpr db::Query k_local_date{"payroll.local_date",
                                 "SELECT ($1::timestamptz AT TIME ZONE $2)::date AS today"};

// One due run, locked for this instance while still APPROVED, or no row when another instance
// is executing it (or did). $1 organization_id, $2 id.
constexpr db::Query k_claim_run{"payroll.claim_run",
                                "SELECT id, pay_date FROM payroll.payroll_runs "
                                "WHERE organization_id = $1 AND id = $2 AND status = 'APPROVED' "
                                "FOR UPDATE SKIP LOCKED"};

// Whether a run that is not cancelled uses the schedule. $1 organization_id, $2 schedule_id.
constexpr db::Query k_schedule_in_use{
    "payroll.schedule_in_use",
    "SELECT EXISTS (SELECT 1 FROM payroll.payroll_runs WHERE organization_id = $1"
    "  AND schedule_id = $2 AND status <> 'CANCELLED') AS in_use"};

#define PAYROLLX_RUN_COLUMNS                                                              \
  "id, organization_id, type, status, schedule_id, period_start, period_end, pay_date,"   \
  " currency, frequency, request, total_gross, total_pre_tax, total_tax, total_post_tax," \
  " total_net, employee_count, skipped, treasury_wallet_id, created_by, approved_by,"     \
  " executed_by, reversed_by, created_at, updated_at, imported"

// $1 id, $2 organization_id, $3 type, $4 schedule_id, $5 period_start, $6 period_end,
// $7 pay_date, $8 currency, $9 frequency, $10 request, $11-$15 totals (gross, pre-tax, tax,
// post-tax, net), $16 employee_count, $17 skipped, $18 created_by.
constexpr db::Query k_insert_run{
    "payroll.insert_run",
    "INSERT INTO payroll.payroll_runs (id, organization_id, type, schedule_id, period_start,"
    "  period_end, pay_date, currency, frequency, request, total_gross, total_pre_tax, total_tax,"
    "  total_post_tax, total_net, employee_count, skipped, created_by) "
    "VALUES ($1, $2, $3, $4, $5::date, $6::date, $7::date, $8, $9, $10::jsonb, $11::bigint,"
    "  $12::bigint, $13::bigint, $14::bigint, $15::bigint, $16::integer, $17::jsonb, $18) "
    "RETURNING " PAYROLLX_RUN_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_select_run{
    "payroll.select_run", "SELECT " PAYROLLX_RUN_COLUMNS
                          " FROM payroll.payroll_runs WHERE organization_id = $1 AND id = $2"};

// $1 organization_id, $2 id. Every change of a run starts here: concurrent approvals,
// executions and cancellations of one run queue on this row and see each other's outcome.
constexpr db::Query k_lock_run{"payroll.lock_run",
                               "SELECT " PAYROLLX_RUN_COLUMNS
                               " FROM payroll.payroll_runs WHERE organization_id = $1 AND id = $2 "
                               "FOR UPDATE"};

// $1 organization_id, $2 id, $3-$7 totals, $8 employee_count, $9 skipped.
constexpr db::Query k_update_calculation{
    "payroll.update_calculation",
    "UPDATE payroll.payroll_runs SET total_gross = $3::bigint, total_pre_tax = $4::bigint,"
    "  total_tax = $5::bigint, total_post_tax = $6::bigint, total_net = $7::bigint,"
    "  employee_count = $8::integer, skipped = $9::jsonb, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_RUN_COLUMNS};

// $1 organization_id, $2 id, $3 approved_by, $4 treasury_wallet_id.
constexpr db::Query k_mark_approved{
    "payroll.mark_approved",
    "UPDATE payroll.payroll_runs SET status = 'APPROVED', approved_by = $3, approved_at = now(),"
    "  treasury_wallet_id = $4, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_RUN_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_mark_cancelled{
    "payroll.mark_cancelled",
    "UPDATE payroll.payroll_runs SET status = 'CANCELLED', cancelled_at = now(),"
    "  updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_RUN_COLUMNS};

// $1 organization_id, $2 id, $3 executed_by.
constexpr db::Query k_mark_completed{
    "payroll.mark_completed",
    "UPDATE payroll.payroll_runs SET status = 'COMPLETED', executed_by = $3, executed_at = now(),"
    "  updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_RUN_COLUMNS};

// $1 organization_id, $2 id, $3 reversed_by.
constexpr db::Query k_mark_reversed{
    "payroll.mark_reversed",
    "UPDATE payroll.payroll_runs SET status = 'REVERSED', reversed_by = $3, reversed_at = now(),"
    "  updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_RUN_COLUMNS};

// One page of runs, newest first. $1 organization_id, $2 status, $3 type, $4 schedule_id (NULL
// filters match everything), $5/$6 keyset or NULL, $7 limit.
constexpr db::Query k_select_runs{
    "payroll.select_runs",
    "SELECT " PAYROLLX_RUN_COLUMNS
    " FROM payroll.payroll_runs WHERE organization_id = $1"
    "  AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR type = $3)"
    "  AND ($4::uuid IS NULL OR schedule_id = $4)"
    "  AND ($5::timestamptz IS NULL OR (created_at, id) < ($5::timestamptz, $6::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $7"};

// Runs that paid an employee (completed, or completed and since reversed), newest pay date
// first. $1 organization_id, $2 employee_id, $3/$4 keyset (pay_date, id) or NULL, $5 limit.
constexpr db::Query k_select_paid_runs_of{
    "payroll.select_paid_runs_of",
    "SELECT " PAYROLLX_RUN_COLUMNS
    " FROM payroll.payroll_runs r WHERE organization_id = $1"
    "  AND status IN ('COMPLETED', 'REVERSED')"
    "  AND EXISTS (SELECT 1 FROM payroll.payroll_items i WHERE i.organization_id = $1"
    "    AND i.run_id = r.id AND i.employee_id = $2)"
    "  AND ($3::date IS NULL OR (pay_date, id) < ($3::date, $4::uuid)) "
    "ORDER BY pay_date DESC, id DESC LIMIT $5"};

#undef PAYROLLX_RUN_COLUMNS

#define PAYROLLX_ITEM_COLUMNS                                                                    \
  "id, run_id, employee_id, wallet_id, position, base_pay, earnings, gross, pre_tax_deductions," \
  " taxable, tax, post_tax_deductions, net, lines, status, transaction_id,"                      \
  " reversal_transaction_id"

// Every item of a run in one statement. $1 organization_id, $2 run_id, then one array per
// column: $3 id, $4 employee_id, $5 wallet_id, $6 position, $7 base_pay, $8 earnings, $9 gross,
// $10 pre_tax_deductions, $11 taxable, $12 tax, $13 post_tax_deductions, $14 net, $15 lines
// (JSON text).
constexpr db::Query k_insert_items{
    "payroll.insert_items",
    "INSERT INTO payroll.payroll_items (id, organization_id, run_id, employee_id, wallet_id,"
    "  position, base_pay, earnings, gross, pre_tax_deductions, taxable, tax,"
    "  post_tax_deductions, net, lines) "
    "SELECT i.id, $1, $2, i.employee_id, i.wallet_id, i.position::integer, i.base_pay,"
    "  i.earnings, i.gross, i.pre_tax, i.taxable, i.tax, i.post_tax, i.net, i.lines::jsonb "
    "FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::bigint[], $7::bigint[], $8::bigint[],"
    "  $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[],"
    "  $15::text[]) AS i(id, employee_id, wallet_id, position, base_pay, earnings, gross,"
    "  pre_tax, taxable, tax, post_tax, net, lines)"};

// $1 organization_id, $2 run_id.
constexpr db::Query k_delete_items{
    "payroll.delete_items",
    "DELETE FROM payroll.payroll_items WHERE organization_id = $1 AND run_id = $2"};

// $1 organization_id, $2 run_id: every item, in order.
constexpr db::Query k_select_items{"payroll.select_items",
                                   "SELECT " PAYROLLX_ITEM_COLUMNS
                                   " FROM payroll.payroll_items "
                                   "WHERE organization_id = $1 AND run_id = $2 ORDER BY position"};

// One page of a run's items in order. $1 organization_id, $2 run_id, $3 the previous page's
// last item or NULL, $4 limit.
constexpr db::Query k_select_items_page{
    "payroll.select_items_page",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND run_id = $2"
    "  AND ($3::uuid IS NULL OR position > (SELECT position FROM payroll.payroll_items"
    "                                       WHERE organization_id = $1 AND id = $3"
    "                                         AND run_id = $2)) "
    "ORDER BY position LIMIT $4"};

// The items that block an approval: a negative net, or a net above the cap ($3, NULL: none).
// $1 organization_id, $2 run_id.
constexpr db::Query k_select_blocking_items{
    "payroll.select_blocking_items",
    "SELECT employee_id, net FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND run_id = $2"
    "  AND (net < 0 OR ($3::bigint IS NOT NULL AND net > $3::bigint)) "
    "ORDER BY position"};

// $1 organization_id, $2 run_id, $3 employee_id.
constexpr db::Query k_select_item_of{
    "payroll.select_item_of",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items WHERE organization_id = $1 AND run_id = $2 AND employee_id = $3"};

// An employee's items of some runs. $1 organization_id, $2 employee_id, $3 run ids.
constexpr db::Query k_select_items_of{
    "payroll.select_items_of",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND employee_id = $2 AND run_id = ANY($3::uuid[])"};

#undef PAYROLLX_ITEM_COLUMNS

// Every item of the run becomes PAID; those in the arrays with their transaction, the others
// (a net of zero) without one. $1 organization_id, $2 run_id, $3 item ids, $4 transaction ids.
constexpr db::Query k_mark_items_paid{
    "payroll.mark_items_paid",
    "UPDATE payroll.payroll_items i SET status = 'PAID', transaction_id = p.transaction_id "
    "FROM payroll.payroll_items s"
    "  LEFT JOIN unnest($3::uuid[], $4::uuid[]) AS p(item_id, transaction_id) ON p.item_id = s.id "
    "WHERE s.organization_id = $1 AND s.id = i.id AND i.organization_id = $1 AND i.run_id = $2"
    "  AND i.status = 'PENDING'"};

// Every paid item of the run becomes REVERSED; those in the arrays with their compensating
// transaction. $1 organization_id, $2 run_id, $3 item ids, $4 reversal transaction ids.
constexpr db::Query k_mark_items_reversed{
    "payroll.mark_items_reversed",
    "UPDATE payroll.payroll_items i SET status = 'REVERSED',"
    "  reversal_transaction_id = p.reversal_id "
    "FROM payroll.payroll_items s"
    "  LEFT JOIN unnest($3::uuid[], $4::uuid[]) AS p(item_id, reversal_id) ON p.item_id = s.id "
    "WHERE s.organization_id = $1 AND s.id = i.id AND i.organization_id = $1 AND i.run_id = $2"
    "  AND i.status = 'PAID'"};

// $1 organization_id, $2 run_id.
constexpr db::Query k_cancel_items{
    "payroll.cancel_items",
    "UPDATE payroll.payroll_items SET status = 'CANCELLED' "
    "WHERE organization_id = $1 AND run_id = $2 AND status = 'PENDING'"};

// Year to date of an employee for each of some runs: the sums over the other COMPLETED runs in
// the run's currency paid in its calendar year up to its pay date (the run itself is added by
// the caller). Amounts of another currency are never summed with these.
// $1 organization_id, $2 employee_id, $3 run ids → run_id, gross, tax, net.
constexpr db::Query k_year_to_date{
    "payroll.year_to_date",
    "SELECT p.id AS run_id, coalesce(sum(i.gross), 0)::bigint AS gross,"
    "  coalesce(sum(i.tax), 0)::bigint AS tax, coalesce(sum(i.net), 0)::bigint AS net "
    "FROM payroll.payroll_runs p"
    "  LEFT JOIN payroll.payroll_runs r ON r.organization_id = $1 AND r.status = 'COMPLETED'"
    "    AND r.id <> p.id AND r.currency = p.currency AND r.pay_date <= p.pay_date"
    "    AND r.pay_date >= date_trunc('year', p.pay_date)::date"
    "  LEFT JOIN payroll.payroll_items i ON i.organization_id = $1 AND i.run_id = r.id"
    "    AND i.employee_id = $2 "
    "WHERE p.organization_id = $1 AND p.id = ANY($3::uuid[]) "
    "GROUP BY p.id"};

Schedule schedule_from(const db::Row& row);
Run run_from(const db::Row& row);
// The eight amounts of an item's row (base_pay ... net), without its lines.
Calculation amounts_from(const db::Row& row);
Item item_from(const db::Row& row);

}  // namespace payrollx::payroll::store
