// The payroll service's shared steps (locking a run, reading a schedule) and its reads of runs
// and items. Every query is scoped to the caller's organisation; another organisation's ids are
// "not found".
#include <fmt/format.h>

#include "core/auth/principal.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/employee/employee.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

Run found_run(std::optional<Run> run) {
  if (!run) throw not_found("The payroll run does not exist.");
  return std::move(*run);
}

}  // namespace

Service::Service(Parts parts) : parts_(parts) {}

awaitable<Schedule> Service::schedule(db::Session& session, const Uuid& organization_id,
                                      const Uuid& schedule_id, bool lock) {
  std::optional<Schedule> found;
  if (lock)
    found = co_await store::lock_schedule(session, organization_id, schedule_id);
  else
    found = co_await store::select_schedule(session, organization_id, schedule_id);
  if (!found) throw not_found("The pay schedule does not exist.");
  co_return std::move(*found);
}

awaitable<Run> Service::lock_run(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id) {
  auto run = co_await store::lock_run(tx, organization_id, run_id);
  co_return found_run(std::move(run));
}

awaitable<Run> Service::lock_draft(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id) {
  auto run = co_await lock_run(tx, organization_id, run_id);
  if (run.status != RunStatus::draft)
    throw invalid_state(fmt::format("The payroll run is {}, not DRAFT.", to_string(run.status)));
  co_return run;
}

awaitable<Run> Service::get(const Uuid& organization_id, const Uuid& run_id) {
  auto run = co_await store::select_run(parts_.pool, organization_id, run_id);
  co_return found_run(std::move(run));
}

awaitable<std::vector<Run>> Service::list(const Uuid& organization_id, const RunFilter& filter,
                                          const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  co_return co_await store::select_runs(parts_.pool, organization_id, filter, after_created_at,
                                        after_id, page.limit + 1);
}

awaitable<std::vector<Item>> Service::items(const Uuid& organization_id, const Uuid& run_id,
                                            const std::optional<Uuid>& after, int limit) {
  // The run and its page in one snapshot: a run that does not exist is 404, not an empty page.
  auto read = [&](db::Tx& tx) -> awaitable<std::vector<Item>> {
    auto run = co_await store::select_run(tx, organization_id, run_id);
    found_run(std::move(run));
    co_return co_await store::select_items_page(tx, organization_id, run_id, after, limit + 1);
  };
  db::TxOptions options;
  options.read_only = true;
  options.isolation = db::Isolation::repeatable_read;
  co_return co_await parts_.pool.transaction(read, options);
}

awaitable<std::optional<Uuid>> Service::employee_of(const Principal& caller) {
  co_return co_await parts_.employees.employee_of_user(caller.org(), caller.user_id);
}

}  // namespace payrollx::payroll
