#include "core/db/pool.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll::store {
namespace {

using boost::asio::awaitable;

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

// Whether a run that is not cancelled uses the schedule. $1 organization_id, $2 schedule_id.
constexpr db::Query k_schedule_in_use{
    "payroll.schedule_in_use",
    "SELECT EXISTS (SELECT 1 FROM payroll.payroll_runs WHERE organization_id = $1"
    "  AND schedule_id = $2 AND status <> 'CANCELLED') AS in_use"};

Schedule schedule_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .name = row.get<std::string>("name"),
          .frequency = k_frequencies.stored(row.get<std::string>("frequency"),
                                            "payroll.pay_schedules.frequency"),
          .first_period_start = row.get<Date>("first_period_start"),
          .pay_date_offset_days = row.get<std::int64_t>("pay_date_offset_days"),
          .currency = row.get<std::string>("currency"),
          .auto_execute = row.get<bool>("auto_execute"),
          .status = k_schedule_statuses.stored(row.get<std::string>("status"),
                                               "payroll.pay_schedules.status"),
          .next_period_start = row.get<Date>("next_period_start"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at")};
}

std::optional<Schedule> first_schedule(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return schedule_from(*row);
}

}  // namespace

awaitable<Schedule> insert_schedule(db::Tx& tx, const Uuid& id, const Uuid& organization_id,
                                    const NewSchedule& input, const std::string& currency) {
  auto inserted = co_await tx.query(k_insert_schedule, id, organization_id, input.name,
                                    input.frequency, input.first_period_start,
                                    input.pay_date_offset_days, currency, input.auto_execute);
  co_return schedule_from(inserted.one());
}

awaitable<std::optional<Schedule>> select_schedule(db::Session& session,
                                                   const Uuid& organization_id, const Uuid& id) {
  auto result = co_await session.query(k_select_schedule, organization_id, id);
  co_return first_schedule(result);
}

awaitable<std::optional<Schedule>> lock_schedule(db::Session& session, const Uuid& organization_id,
                                                 const Uuid& id) {
  auto result = co_await session.query(k_lock_schedule, organization_id, id);
  co_return first_schedule(result);
}

awaitable<Schedule> update_schedule(db::Tx& tx, const Schedule& wanted) {
  auto updated = co_await tx.query(k_update_schedule, wanted.organization_id, wanted.id,
                                   wanted.name, wanted.frequency, wanted.first_period_start,
                                   wanted.pay_date_offset_days, wanted.currency,
                                   wanted.auto_execute, wanted.status, wanted.next_period_start);
  co_return schedule_from(updated.one());
}

awaitable<void> advance_schedule(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                 Date next_period_start) {
  co_await tx.query(k_advance_schedule, organization_id, id, next_period_start);
}

awaitable<std::vector<Schedule>> select_schedules(db::Pool& pool, const Uuid& organization_id,
                                                  const std::optional<Timestamp>& after_created_at,
                                                  const std::optional<Uuid>& after_id, int limit) {
  auto result =
      co_await pool.query(k_select_schedules, organization_id, after_created_at, after_id, limit);
  std::vector<Schedule> schedules;
  schedules.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) schedules.push_back(schedule_from(row));
  co_return schedules;
}

awaitable<bool> schedule_in_use(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto in_use = co_await tx.query(k_schedule_in_use, organization_id, id);
  co_return in_use.one().get<bool>("in_use");
}

awaitable<std::vector<Due>> select_due_schedules(db::Pool& pool, Date latest, int limit,
                                                 const std::vector<Uuid>& suspended) {
  auto result = co_await pool.query(k_select_due_schedules, latest, limit, suspended);
  std::vector<Due> due;
  for (auto row : result) due.push_back({row.get<Uuid>("organization_id"), row.get<Uuid>("id")});
  co_return due;
}

awaitable<std::optional<Schedule>> claim_schedule(db::Tx& tx, const Uuid& organization_id,
                                                  const Uuid& id) {
  auto locked = co_await tx.query(k_claim_schedule, organization_id, id);
  co_return first_schedule(locked);
}

}  // namespace payrollx::payroll::store
