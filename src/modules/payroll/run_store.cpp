#include <boost/json/array.hpp>

#include "core/db/pool.hpp"
#include "modules/payroll/encoding.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll::store {
namespace {

using boost::asio::awaitable;

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

// One due run, locked for this instance while still APPROVED, or no row when another instance
// is executing it (or did). $1 organization_id, $2 id.
constexpr db::Query k_claim_run{"payroll.claim_run",
                                "SELECT id, pay_date FROM payroll.payroll_runs "
                                "WHERE organization_id = $1 AND id = $2 AND status = 'APPROVED' "
                                "FOR UPDATE SKIP LOCKED"};

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

// The skipped list is written by this module only, so a malformed one is a bug: as_*() throws
// and the request fails as a 500, which is what a bug deserves.
std::vector<Skipped> skipped_of(const boost::json::value& value) {
  std::vector<Skipped> skipped;
  for (const auto& entry : value.as_array()) {
    const auto& object = entry.as_object();
    auto id = Uuid::parse(object.at("employeeId").as_string());
    if (!id) throw db::DecodeError("payroll_runs.skipped holds a bad employee id");
    skipped.push_back({.employee_id = *id, .reason = std::string(object.at("reason").as_string())});
  }
  return skipped;
}

Run run_from(const db::Row& row) {
  auto request = row.get<boost::json::value>("request");
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .type = row.get<std::string>("type"),
          .status =
              k_run_statuses.stored(row.get<std::string>("status"), "payroll.payroll_runs.status"),
          .schedule_id = row.get<std::optional<Uuid>>("schedule_id"),
          .period_start = row.get<Date>("period_start"),
          .period_end = row.get<Date>("period_end"),
          .pay_date = row.get<Date>("pay_date"),
          .currency = row.get<std::string>("currency"),
          .frequency = k_frequencies.stored(row.get<std::optional<std::string>>("frequency"),
                                            "payroll.payroll_runs.frequency"),
          .request = std::move(request.as_object()),
          .totals = {.gross = row.get<std::int64_t>("total_gross"),
                     .pre_tax_deductions = row.get<std::int64_t>("total_pre_tax"),
                     .tax = row.get<std::int64_t>("total_tax"),
                     .post_tax_deductions = row.get<std::int64_t>("total_post_tax"),
                     .net = row.get<std::int64_t>("total_net")},
          .employee_count = row.get<std::int64_t>("employee_count"),
          .skipped = skipped_of(row.get<boost::json::value>("skipped")),
          .treasury_wallet_id = row.get<std::optional<Uuid>>("treasury_wallet_id"),
          .created_by = row.get<std::optional<Uuid>>("created_by"),
          .approved_by = row.get<std::optional<Uuid>>("approved_by"),
          .executed_by = row.get<std::optional<Uuid>>("executed_by"),
          .reversed_by = row.get<std::optional<Uuid>>("reversed_by"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at"),
          .imported = row.get<bool>("imported")};
}

std::optional<Run> first_run(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return run_from(*row);
}

std::vector<Run> runs_of(const db::Result& result) {
  std::vector<Run> runs;
  runs.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) runs.push_back(run_from(row));
  return runs;
}

// Reads run on a session (a transaction, or autocommit) or on the pool: both offer
// query(name, args...).
template <class Db>
awaitable<std::optional<Run>> select_run_on(Db& db, const Uuid& organization_id, const Uuid& id) {
  auto result = co_await db.query(k_select_run, organization_id, id);
  co_return first_run(result);
}

}  // namespace

awaitable<Run> insert_run(db::Tx& tx, const Run& run, const std::optional<Uuid>& created_by) {
  const auto skipped = boost::json::value(encoding::skipped(run.skipped));
  const auto stored_request = boost::json::value(run.request);
  auto inserted = co_await tx.query(
      k_insert_run, run.id, run.organization_id, run.type, run.schedule_id, run.period_start,
      run.period_end, run.pay_date, run.currency, run.frequency, stored_request, run.totals.gross,
      run.totals.pre_tax_deductions, run.totals.tax, run.totals.post_tax_deductions, run.totals.net,
      run.employee_count, skipped, created_by);
  co_return run_from(inserted.one());
}

awaitable<std::optional<Run>> select_run(db::Session& session, const Uuid& organization_id,
                                         const Uuid& id) {
  return select_run_on(session, organization_id, id);
}

awaitable<std::optional<Run>> select_run(db::Pool& pool, const Uuid& organization_id,
                                         const Uuid& id) {
  return select_run_on(pool, organization_id, id);
}

awaitable<std::optional<Run>> lock_run(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto result = co_await tx.query(k_lock_run, organization_id, id);
  co_return first_run(result);
}

awaitable<Run> update_calculation(db::Tx& tx, const Run& run) {
  const auto& totals = run.totals;
  const auto skipped = boost::json::value(encoding::skipped(run.skipped));
  auto updated = co_await tx.query(
      k_update_calculation, run.organization_id, run.id, totals.gross, totals.pre_tax_deductions,
      totals.tax, totals.post_tax_deductions, totals.net, run.employee_count, skipped);
  co_return run_from(updated.one());
}

awaitable<Run> mark_approved(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                             const std::optional<Uuid>& approved_by,
                             const Uuid& treasury_wallet_id) {
  auto updated =
      co_await tx.query(k_mark_approved, organization_id, id, approved_by, treasury_wallet_id);
  co_return run_from(updated.one());
}

awaitable<Run> mark_cancelled(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto updated = co_await tx.query(k_mark_cancelled, organization_id, id);
  co_return run_from(updated.one());
}

awaitable<Run> mark_completed(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                              const std::optional<Uuid>& executed_by) {
  auto completed = co_await tx.query(k_mark_completed, organization_id, id, executed_by);
  co_return run_from(completed.one());
}

awaitable<Run> mark_reversed(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                             const std::optional<Uuid>& reversed_by) {
  auto updated = co_await tx.query(k_mark_reversed, organization_id, id, reversed_by);
  co_return run_from(updated.one());
}

awaitable<std::vector<Run>> select_runs(db::Pool& pool, const Uuid& organization_id,
                                        const RunFilter& filter,
                                        const std::optional<Timestamp>& after_created_at,
                                        const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_runs, organization_id, filter.status, filter.type,
                                    filter.schedule_id, after_created_at, after_id, limit);
  co_return runs_of(result);
}

awaitable<std::vector<Run>> select_paid_runs_of(db::Tx& tx, const Uuid& organization_id,
                                                const Uuid& employee_id,
                                                const std::optional<Date>& after_pay_date,
                                                const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await tx.query(k_select_paid_runs_of, organization_id, employee_id,
                                  after_pay_date, after_id, limit);
  co_return runs_of(result);
}

awaitable<std::vector<Due>> select_due_runs(db::Pool& pool, Date latest, int limit,
                                            const std::vector<Uuid>& suspended) {
  auto result = co_await pool.query(k_select_due_runs, latest, limit, suspended);
  std::vector<Due> due;
  for (auto row : result) due.push_back({row.get<Uuid>("organization_id"), row.get<Uuid>("id")});
  co_return due;
}

awaitable<std::optional<Date>> claim_run(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto locked = co_await tx.query(k_claim_run, organization_id, id);
  auto row = locked.first();
  if (!row) co_return std::nullopt;
  co_return row->get<Date>("pay_date");
}

}  // namespace payrollx::payroll::store
