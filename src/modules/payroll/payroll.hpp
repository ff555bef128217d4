#pragma once
// payroll — pay schedules, payroll runs and their items (one per employee per run): drafting and
// calculating a run (its rules are stated in calculation.hpp), approval with a hold on the
// organisation's treasury, execution in one database transaction across the wallet,
// transaction, notification and compliance modules, reversal, and payslips. The payroll module
// orchestrates those flows because it owns their outcome; it reads employees, settings and tax
// tables through their modules' interfaces.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/payroll/calculation.hpp"

namespace payrollx {
struct Principal;
namespace db {
class Pool;
class Session;
class Tx;
}  // namespace db
namespace http {
class Router;
}
namespace compliance {
class AuditLog;
class TaxTables;
struct Actor;
}  // namespace compliance
namespace notification {
class Inbox;
}
namespace employee {
class Service;
}
namespace organization {
class Service;
}
namespace transaction {
class Service;
}
namespace wallet {
class Service;
}
}  // namespace payrollx

namespace payrollx::payroll {

// The states below are stored and answered by these names; each enum's table lists its values in
// declaration order (core/enum_names.hpp).

// A schedule drafts runs while ACTIVE; PAUSED stops it until it is resumed.
enum class ScheduleStatus { active, paused };
inline constexpr auto k_schedule_statuses = enum_names<ScheduleStatus>(
    {{ScheduleStatus::active, "ACTIVE"}, {ScheduleStatus::paused, "PAUSED"}});
PAYROLLX_ENUM_NAMES(ScheduleStatus, k_schedule_statuses, parse_schedule_status)

// A run's life: DRAFT → APPROVED → COMPLETED → REVERSED, or CANCELLED from DRAFT or APPROVED.
// PROCESSING and FAILED are allowed by the table's check but no flow here moves a run into them;
// they stay listed so that filtering by them is not a 400 and reading one is not corruption.
enum class RunStatus { draft, approved, processing, completed, failed, cancelled, reversed };
inline constexpr auto k_run_statuses = enum_names<RunStatus>({{RunStatus::draft, "DRAFT"},
                                                              {RunStatus::approved, "APPROVED"},
                                                              {RunStatus::processing, "PROCESSING"},
                                                              {RunStatus::completed, "COMPLETED"},
                                                              {RunStatus::failed, "FAILED"},
                                                              {RunStatus::cancelled, "CANCELLED"},
                                                              {RunStatus::reversed, "REVERSED"}});
PAYROLLX_ENUM_NAMES(RunStatus, k_run_statuses, parse_run_status)

// An item is PENDING until its run pays it (PAID), then REVERSED with the run; CANCELLED with a
// cancelled run.
enum class ItemStatus { pending, paid, reversed, cancelled };
inline constexpr auto k_item_statuses =
    enum_names<ItemStatus>({{ItemStatus::pending, "PENDING"},
                            {ItemStatus::paid, "PAID"},
                            {ItemStatus::reversed, "REVERSED"},
                            {ItemStatus::cancelled, "CANCELLED"}});
PAYROLLX_ENUM_NAMES(ItemStatus, k_item_statuses, parse_item_status)

struct Schedule {
  Uuid id;
  Uuid organization_id;
  std::string name;
  Frequency frequency = Frequency::monthly;
  Date first_period_start;
  std::int64_t pay_date_offset_days = 0;  // the pay date: the period's last day plus this
  std::string currency;
  bool auto_execute = false;
  ScheduleStatus status = ScheduleStatus::active;
  Date next_period_start;
  Timestamp created_at;
  Timestamp updated_at;
};

// {id,name,frequency,firstPeriodStart,payDateOffsetDays,currency,autoExecute,status,
//  nextPeriodStart,createdAt,updatedAt}
boost::json::object to_json(const Schedule& schedule);

struct NewSchedule {
  std::string name;
  Frequency frequency = Frequency::monthly;
  Date first_period_start;
  std::int64_t pay_date_offset_days = 0;
  std::optional<std::string> currency;  // none: the organisation's base currency
  bool auto_execute = false;
};

// A partial update: absent fields stay as they are.
struct SchedulePatch {
  std::optional<std::string> name;
  std::optional<ScheduleStatus> status;  // ACTIVE (resume) or PAUSED
  std::optional<bool> auto_execute;
  std::optional<std::int64_t> pay_date_offset_days;
  // What the schedule's periods are made of: changeable only while no run uses them.
  std::optional<Frequency> frequency;
  std::optional<Date> first_period_start;
  std::optional<std::string> currency;
};

struct Totals {
  std::int64_t gross = 0;
  std::int64_t pre_tax_deductions = 0;
  std::int64_t tax = 0;
  std::int64_t post_tax_deductions = 0;
  std::int64_t net = 0;
};

// An employee left out of a run, and why: currency_mismatch, kyc_not_approved, terminated,
// not_started.
struct Skipped {
  Uuid employee_id;
  std::string reason;
};

struct Run {
  Uuid id;
  Uuid organization_id;
  std::string type;  // REGULAR, OFF_CYCLE
  RunStatus status = RunStatus::draft;
  std::optional<Uuid> schedule_id;
  Date period_start;
  Date period_end;
  Date pay_date;
  std::string currency;
  std::optional<Frequency> frequency;  // the schedule's; none: each employee's own
  boost::json::object request;         // OFF_CYCLE: {employeeIds} or {items}, for recalculation
  Totals totals;
  std::int64_t employee_count = 0;
  std::vector<Skipped> skipped;
  std::optional<Uuid> treasury_wallet_id;  // set at approval
  std::optional<Uuid> created_by;          // none: the scheduler
  std::optional<Uuid> approved_by;
  std::optional<Uuid> executed_by;
  std::optional<Uuid> reversed_by;
  Timestamp created_at;
  Timestamp updated_at;
  bool imported = false;  // from the legacy services: history, never reversed here
};

// A run as the API answers it: {id,type,status,scheduleId,periodStart,periodEnd,payDate,
//  currency,totals:{gross,preTaxDeductions,tax,postTaxDeductions,net},employeeCount,
//  skipped:[{employeeId,reason}],createdBy,approvedBy}
boost::json::object to_json(const Run& run);

struct Item {
  Uuid id;
  Uuid run_id;
  Uuid employee_id;
  Uuid wallet_id;  // paid into: the employee's wallet in the run's currency
  int position = 0;
  Calculation amounts;
  ItemStatus status = ItemStatus::pending;
  std::optional<Uuid> transaction_id;
  std::optional<Uuid> reversal_transaction_id;
};

// An item as the API answers it: {id,employeeId,basePay,earnings,gross,preTaxDeductions,
//  taxable,tax,postTaxDeductions,net,lines:[{kind,name,amount}],status,transactionId}
boost::json::object to_json(const Item& item);

struct ItemRequest {
  Uuid employee_id;
  std::int64_t amount = 0;  // paid as gross
  std::string description;
};

// POST /payroll/runs and /payroll/preview, validated field by field (see routes).
struct RunRequest {
  std::string type;  // REGULAR, OFF_CYCLE
  std::optional<Uuid> schedule_id;
  std::optional<Date> period_start;
  std::optional<Date> period_end;
  std::optional<Date> pay_date;
  std::optional<std::string> currency;
  std::optional<std::vector<Uuid>> employee_ids;
  std::optional<std::vector<ItemRequest>> items;
};

// A calculated run that is not stored (the preview), or about to be.
struct Draft {
  Run run;
  std::vector<Item> items;
};

// The preview's answer: the run's fields without those only a stored run has, and its items.
boost::json::object to_json(const Draft& draft);

struct YearToDate {
  std::int64_t gross = 0;
  std::int64_t tax = 0;
  std::int64_t net = 0;
};

struct Payslip {
  Run run;
  Item item;
  YearToDate year_to_date;
};

// {runId,employeeId,periodStart,periodEnd,payDate,currency,basePay,earnings,gross,
//  preTaxDeductions,taxable,tax,postTaxDeductions,net,lines,yearToDate:{gross,tax,net}}
boost::json::object to_json(const Payslip& payslip);

// The payroll reports' rows (see src/reports): read in the caller's session (the report maker's
// snapshot), a page at a time after the last row of the previous page.
// PAYROLL_REGISTER: each item of a COMPLETED or REVERSED run paid on a date of [from, to], by pay
// date, run and the item's place in the run.
struct RegisterKey {
  Date pay_date;
  Uuid run_id;
  std::int64_t position = 0;
};
struct RegisterRow {
  RegisterKey key;
  std::string run_type;                         // REGULAR, OFF_CYCLE
  RunStatus run_status = RunStatus::completed;  // or REVERSED
  Uuid employee_id;
  std::string employee_name;
  std::string currency;
  Calculation amounts;  // without its lines
  std::optional<Uuid> transaction_id;
};
// TAX_SUMMARY: per employee and currency, the items of COMPLETED (unreversed) runs paid on a date
// of [from, to], by employee id and currency.
struct TaxSummaryKey {
  Uuid employee_id;
  std::string currency;
};
struct TaxSummaryRow {
  TaxSummaryKey key;
  std::string employee_name;
  std::int64_t runs = 0;
  std::int64_t gross = 0;
  std::int64_t taxable = 0;
  std::int64_t tax = 0;
  std::int64_t net = 0;
};

struct RunFilter {
  std::optional<RunStatus> status;
  std::optional<std::string> type;
  std::optional<Uuid> schedule_id;
};

class Service {
 public:
  struct Parts {
    db::Pool& pool;
    employee::Service& employees;
    wallet::Service& wallets;
    transaction::Service& transactions;
    organization::Service& organizations;
    compliance::TaxTables& tax_tables;
    compliance::AuditLog& audit;
    notification::Inbox& inbox;
  };
  explicit Service(Parts parts);

  // Schedules. Audited ("payroll.schedule_created" / "_updated"); 409 conflict when the name is
  // taken; 400 for an unknown currency; an update of the frequency, first period or currency is
  // 409 invalid_state once a run (not cancelled) uses the schedule.
  boost::asio::awaitable<Schedule> create_schedule(db::Tx& tx, const Uuid& organization_id,
                                                   const NewSchedule& input,
                                                   const compliance::Actor& actor);
  boost::asio::awaitable<Schedule> update_schedule(db::Tx& tx, const Uuid& organization_id,
                                                   const Uuid& schedule_id,
                                                   const SchedulePatch& patch,
                                                   const compliance::Actor& actor);
  // Newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Schedule>> schedules(const Uuid& organization_id,
                                                          const http::PageRequest& page);

  // The calculation of a run as it would be drafted now; nothing is written.
  boost::asio::awaitable<Draft> preview(db::Tx& tx, const Uuid& organization_id,
                                        const RunRequest& request);
  // A DRAFT run, calculated and audited ("payroll.run.created"). 409 conflict for a second
  // REGULAR run of a schedule's period.
  boost::asio::awaitable<Run> create_run(db::Tx& tx, const Uuid& organization_id,
                                         const RunRequest& request, const compliance::Actor& actor);
  // DRAFT only: the items again from today's employees, components, settings and tax table.
  boost::asio::awaitable<Run> recalculate(db::Tx& tx, const Uuid& organization_id,
                                          const Uuid& run_id, const compliance::Actor& actor);
  // DRAFT → APPROVED with the total net held on the treasury (see approval.cpp).
  boost::asio::awaitable<Run> approve(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                      const compliance::Actor& actor);
  // DRAFT or APPROVED → CANCELLED, the hold released.
  boost::asio::awaitable<Run> cancel(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                     const compliance::Actor& actor);
  // APPROVED → COMPLETED: every item paid, in the caller's transaction (see execution.cpp).
  boost::asio::awaitable<Run> execute(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                      const compliance::Actor& actor);
  // COMPLETED → REVERSED by compensating transactions.
  boost::asio::awaitable<Run> reverse(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                      const std::string& reason, const compliance::Actor& actor);

  // 404 when it is not the organisation's.
  boost::asio::awaitable<Run> get(const Uuid& organization_id, const Uuid& run_id);
  // Newest first: up to page.limit + 1.
  boost::asio::awaitable<std::vector<Run>> list(const Uuid& organization_id,
                                                const RunFilter& filter,
                                                const http::PageRequest& page);
  // The run's items in their order, after the item `after`: up to limit + 1. 404 for a run that
  // is not the organisation's.
  boost::asio::awaitable<std::vector<Item>> items(const Uuid& organization_id, const Uuid& run_id,
                                                  const std::optional<Uuid>& after, int limit);
  // An employee's payslip of a run; `paid_only` (an EMPLOYEE asking) hides runs that did not
  // pay (404, as for a run without them).
  boost::asio::awaitable<Payslip> payslip(const Uuid& organization_id, const Uuid& run_id,
                                          const Uuid& employee_id, bool paid_only);
  // An employee's payslips of executed runs (completed or since reversed), newest pay date
  // first: up to page.limit + 1.
  // The same payslip as a one-page PDF (payslip_pdf.cpp), with the organisation's and the
  // employee's names.
  boost::asio::awaitable<std::string> payslip_pdf(const Uuid& organization_id, const Uuid& run_id,
                                                  const Uuid& employee_id, bool paid_only);
  boost::asio::awaitable<std::vector<Payslip>> payslips(const Uuid& organization_id,
                                                        const Uuid& employee_id,
                                                        const http::PageRequest& page);
  // Flow 6, what every instance's background job does each tick: drafts the REGULAR run of each
  // active schedule whose next period has ended, and executes the APPROVED runs of autoExecute
  // schedules whose pay date has come, by the date it is at `now` in each organisation's time
  // zone (see scheduler.cpp for why several instances do each exactly once).
  struct SchedulerTick {
    int drafted = 0;
    int executed = 0;
  };
  boost::asio::awaitable<SchedulerTick> run_due(Timestamp now);

  // The employee record of a caller with role EMPLOYEE, if any.
  boost::asio::awaitable<std::optional<Uuid>> employee_of(const Principal& caller);

  // Reports (see RegisterRow and TaxSummaryRow).
  boost::asio::awaitable<std::int64_t> count_register(db::Session& session,
                                                      const Uuid& organization_id, Date from,
                                                      Date to);
  boost::asio::awaitable<std::vector<RegisterRow>> register_page(
      db::Session& session, const Uuid& organization_id, Date from, Date to,
      const std::optional<RegisterKey>& after, int limit);
  boost::asio::awaitable<std::int64_t> count_tax_summary(db::Session& session,
                                                         const Uuid& organization_id, Date from,
                                                         Date to);
  boost::asio::awaitable<std::vector<TaxSummaryRow>> tax_summary_page(
      db::Session& session, const Uuid& organization_id, Date from, Date to,
      const std::optional<TaxSummaryKey>& after, int limit);

  db::Pool& pool() { return parts_.pool; }

 private:
  // 404 when the schedule is not the organisation's; `lock`: FOR NO KEY UPDATE.
  boost::asio::awaitable<Schedule> schedule(db::Session& session, const Uuid& organization_id,
                                            const Uuid& schedule_id, bool lock);
  // The run a request describes, calculated from the current roster, settings and tax table.
  boost::asio::awaitable<Draft> calculate(db::Tx& tx, const Uuid& organization_id,
                                          const RunRequest& request,
                                          const std::optional<Schedule>& schedule);
  boost::asio::awaitable<Run> lock_run(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id);
  boost::asio::awaitable<Run> lock_draft(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& run_id);
  boost::asio::awaitable<void> notify_employees(db::Tx& tx, const Run& run,
                                                const std::vector<Item>& items,
                                                std::string_view event_type);
  // The date it is at `now` where the organisation is (its settings' time zone).
  boost::asio::awaitable<Date> local_date(db::Tx& tx, const Uuid& organization_id, Timestamp now);

  Parts parts_;
};

void register_routes(http::Router& router, Service& service);

}  // namespace payrollx::payroll
