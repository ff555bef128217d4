// Payslips: an employee's item of a run with the run's dates and the year to date. Year to date
// is the sum over the COMPLETED runs of the pay date's calendar year paid up to that pay date,
// this run included (unless it was reversed or cancelled: then it paid nothing that still
// counts). Each read is one snapshot.
#include <map>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

db::TxOptions snapshot() {
  db::TxOptions options;
  options.read_only = true;
  options.isolation = db::Isolation::repeatable_read;
  return options;
}

// Every status is listed (no default), so a new one is a compile error here until someone says
// whether its runs paid anyone.
bool paid(const Run& run) {
  switch (run.status) {
    case RunStatus::completed:
    case RunStatus::reversed:
      return true;
    case RunStatus::draft:
    case RunStatus::approved:
    case RunStatus::processing:
    case RunStatus::failed:
    case RunStatus::cancelled:
      return false;
  }
  return false;
}

bool counts_for_itself(const Run& run) {
  return run.status != RunStatus::reversed && run.status != RunStatus::cancelled;
}

// The year to date of each run of `payslips` (whose run and item are set), in one statement.
awaitable<void> add_year_to_date(db::Tx& tx, const Uuid& organization_id, const Uuid& employee_id,
                                 std::vector<Payslip>& payslips) {
  if (payslips.empty()) co_return;
  std::vector<Uuid> run_ids;
  for (const auto& payslip : payslips) run_ids.push_back(payslip.run.id);
  auto others = co_await store::year_to_date(tx, organization_id, employee_id, run_ids);
  for (auto& payslip : payslips) {
    auto total = others[payslip.run.id];
    if (counts_for_itself(payslip.run)) {
      total.gross += payslip.item.amounts.gross;
      total.tax += payslip.item.amounts.tax;
      total.net += payslip.item.amounts.net;
    }
    payslip.year_to_date = total;
  }
}

}  // namespace

awaitable<Payslip> Service::payslip(const Uuid& organization_id, const Uuid& run_id,
                                    const Uuid& employee_id, bool paid_only) {
  auto read = [&](db::Tx& tx) -> awaitable<Payslip> {
    auto run = co_await store::select_run(tx, organization_id, run_id);
    if (!run) throw not_found("The payroll run does not exist.");
    if (paid_only && !paid(*run)) throw not_found("The payslip does not exist.");
    auto item = co_await store::select_item_of(tx, organization_id, run_id, employee_id);
    if (!item) throw not_found("The payslip does not exist.");
    std::vector<Payslip> payslips{{.run = std::move(*run), .item = std::move(*item)}};
    co_await add_year_to_date(tx, organization_id, employee_id, payslips);
    co_return std::move(payslips.front());
  };
  co_return co_await parts_.pool.transaction(read, snapshot());
}

awaitable<std::vector<Payslip>> Service::payslips(const Uuid& organization_id,
                                                  const Uuid& employee_id,
                                                  const http::PageRequest& page) {
  std::optional<Date> after_pay_date;
  std::optional<Uuid> after_id;
  if (page.after) {
    after_pay_date = Date{std::chrono::floor<std::chrono::days>(page.after->created_at)};
    after_id = page.after->id;
  }
  auto read = [&](db::Tx& tx) -> awaitable<std::vector<Payslip>> {
    auto runs = co_await store::select_paid_runs_of(tx, organization_id, employee_id,
                                                    after_pay_date, after_id, page.limit + 1);
    std::vector<Payslip> payslips;
    std::vector<Uuid> run_ids;
    for (auto& run : runs) {
      payslips.push_back({.run = std::move(run), .item = {}, .year_to_date = {}});
      run_ids.push_back(payslips.back().run.id);
    }
    if (payslips.empty()) co_return payslips;
    auto items = co_await store::select_items_of(tx, organization_id, employee_id, run_ids);
    std::map<Uuid, Item> item_of_run;
    for (auto& item : items) item_of_run.emplace(item.run_id, std::move(item));
    for (auto& payslip : payslips) payslip.item = item_of_run.at(payslip.run.id);
    co_await add_year_to_date(tx, organization_id, employee_id, payslips);
    co_return payslips;
  };
  co_return co_await parts_.pool.transaction(read, snapshot());
}

}  // namespace payrollx::payroll
