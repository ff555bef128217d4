#include "modules/payroll/schemas.hpp"

#include <boost/json/object.hpp>

#include "core/http/schema.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/requests.hpp"

namespace payrollx::payroll::schemas {
namespace {

namespace schema = http::schema;
using boost::json::value;

using schema::described;

value currency() {
  return described(schema::currency_code(),
                   "A currency of core.currencies (USD, EUR, USDC, SOL, ...).");
}

value money(std::string_view text) {
  return described(schema::integer(), text);
}

value frequency() {
  return schema::enumeration(k_frequencies.names());
}

value lines() {
  return described(schema::array(schema::object(
                       {{"kind", schema::enumeration({"BASE", "EARNING", "PRE_TAX_DEDUCTION", "TAX",
                                                      "POST_TAX_DEDUCTION"})},
                        {"name", schema::string()},
                        {"amount", money("Minor units, rounded half-up once per line.")}},
                       {"kind", "name", "amount"})),
                   "Every line of the calculation; the amounts above are their sums.");
}

value totals() {
  return schema::object({{"gross", schema::integer()},
                         {"preTaxDeductions", schema::integer()},
                         {"tax", schema::integer()},
                         {"postTaxDeductions", schema::integer()},
                         {"net", schema::integer()}},
                        {"gross", "preTaxDeductions", "tax", "postTaxDeductions", "net"});
}

value skipped() {
  return described(
      schema::array(
          schema::object({{"employeeId", schema::uuid()},
                          {"reason", schema::enumeration({"currency_mismatch", "kyc_not_approved",
                                                          "terminated", "not_started"})}},
                         {"employeeId", "reason"})),
      "The organisation's employees left out of the run, and why. terminated: before the "
      "period; not_started: hired after it; currency_mismatch: salary in another currency; "
      "kyc_not_approved: the organisation pays KYC-approved employees only.");
}

// The amount properties an item, a preview item and a payslip share.
void add_amounts(boost::json::object& properties) {
  properties["basePay"] = money("Base pay of the period, prorated for joiners and leavers.");
  properties["earnings"] = schema::integer();
  properties["gross"] = schema::integer();
  properties["preTaxDeductions"] = schema::integer();
  properties["taxable"] = schema::integer();
  properties["tax"] = schema::integer();
  properties["postTaxDeductions"] = schema::integer();
  properties["net"] = money("May be negative in a draft: that blocks approval.");
  properties["lines"] = lines();
}

value with_properties(value object, void (*add)(boost::json::object&)) {
  add(object.as_object()["properties"].as_object());
  return object;
}

void add_amount_names(boost::json::array& required) {
  for (auto name : {"basePay", "earnings", "gross", "preTaxDeductions", "taxable", "tax",
                    "postTaxDeductions", "net", "lines"})
    required.emplace_back(name);
}

}  // namespace

value schedule() {
  return schema::object(
      {{"id", schema::uuid()},
       {"name", schema::string(requests::k_name)},
       {"frequency", frequency()},
       {"firstPeriodStart", schema::date()},
       {"payDateOffsetDays", schema::integer(0)},
       {"currency", currency()},
       {"autoExecute", schema::boolean()},
       {"status", schema::enumeration(k_schedule_statuses.names())},
       {"nextPeriodStart", described(schema::date(), "The next period a run is drafted for.")},
       {"createdAt", schema::date_time()},
       {"updatedAt", schema::date_time()}},
      {"id", "name", "frequency", "firstPeriodStart", "payDateOffsetDays", "currency",
       "autoExecute", "status", "nextPeriodStart", "createdAt", "updatedAt"});
}

value new_schedule() {
  return schema::object(
      {{"name",
        described(schema::string(requests::k_name), "Unique in the organisation (any case).")},
       {"frequency", frequency()},
       {"firstPeriodStart",
        described(schema::date(),
                  "The first period's first day. MONTHLY periods run from this day of the month "
                  "to the day before it in the next; SEMIMONTHLY ones are the 1st-15th and "
                  "16th-end.")},
       {"payDateOffsetDays",
        described(schema::integer(0),
                  "Days from a period's last day to its pay date, 0 to 365 (default 0).")},
       {"currency", described(currency(), "Default: the organisation's base currency.")},
       {"autoExecute", described(schema::boolean(), "Default false.")}},
      {"name", "frequency", "firstPeriodStart"});
}

value schedule_patch() {
  return schema::object(
      {{"name", schema::string(requests::k_name)},
       {"status", described(schema::enumeration(k_schedule_statuses.names()),
                            "PAUSED stops drafting runs; ACTIVE resumes.")},
       {"autoExecute", schema::boolean()},
       {"payDateOffsetDays", described(schema::integer(0), "0 to 365.")},
       {"frequency", described(frequency(),
                               "Only while no run (not cancelled) uses the "
                               "schedule, else 409 invalid_state.")},
       {"firstPeriodStart", described(schema::date(), "As frequency; resets nextPeriodStart.")},
       {"currency", described(currency(), "As frequency.")}});
}

value run_request() {
  return schema::object(
      {{"type", described(schema::enumeration({"REGULAR", "OFF_CYCLE"}),
                          "REGULAR: every eligible employee for a schedule's period (one per "
                          "schedule and period, else 409). OFF_CYCLE: named employees or explicit "
                          "amounts.")},
       {"scheduleId",
        described(schema::uuid(),
                  "Required for REGULAR. For OFF_CYCLE, optional: the period and frequency come "
                  "from it.")},
       {"periodStart",
        described(schema::date(),
                  "With a schedule: a period start of it (default: its nextPeriodStart). "
                  "Without one (OFF_CYCLE): required.")},
       {"periodEnd",
        described(schema::date(),
                  "With a schedule: derived (if given, it must match). Without one: required, "
                  "within 366 days of periodStart.")},
       {"payDate", described(schema::date(),
                             "Default with a schedule: periodEnd + payDateOffsetDays. Not before "
                             "periodStart.")},
       {"currency", described(currency(),
                              "With a schedule: its currency (default). Without "
                              "one: required.")},
       {"employeeIds",
        described(schema::array(schema::uuid()),
                  "OFF_CYCLE: calculate these employees as a regular run would for the period "
                  "(with the schedule's frequency, or each employee's payFrequency without one). "
                  "Up to 10000, no repeats.")},
       {"items",
        described(schema::array(schema::object(
                      {{"employeeId", schema::uuid()},
                       {"amount", described(schema::integer(1), "Paid as gross, minor units.")},
                       {"description", schema::string(requests::k_description)}},
                      {"employeeId", "amount", "description"})),
                  "OFF_CYCLE: each amount is paid as gross (no base pay, proration or "
                  "earnings), then pre-tax deductions, tax and post-tax deductions; employment "
                  "dates are not checked. "
                  "One per employee, up to 10000.")}},
      {"type"});
}

value run() {
  return schema::object(
      {{"id", schema::uuid()},
       {"type", schema::enumeration({"REGULAR", "OFF_CYCLE"})},
       {"status", schema::enumeration(k_run_statuses.names())},
       {"scheduleId", schema::nullable(schema::uuid())},
       {"periodStart", schema::date()},
       {"periodEnd", schema::date()},
       {"payDate", schema::date()},
       {"currency", currency()},
       {"totals", described(totals(), "The sums of the items' amounts.")},
       {"employeeCount", schema::integer(0)},
       {"skipped", skipped()},
       {"createdBy", described(schema::nullable(schema::uuid()), "null: the scheduler.")},
       {"approvedBy", schema::nullable(schema::uuid())},
       {"imported", described(schema::boolean(),
                              "Imported from the legacy services: history, paid on chain if "
                              "COMPLETED, never reversed here.")}},
      {"id", "type", "status", "scheduleId", "periodStart", "periodEnd", "payDate", "currency",
       "totals", "employeeCount", "skipped", "createdBy", "approvedBy", "imported"});
}

value item() {
  auto out = schema::object(
      {{"id", schema::uuid()},
       {"employeeId", schema::uuid()},
       {"status", schema::enumeration(k_item_statuses.names())},
       {"transactionId",
        described(schema::nullable(schema::uuid()),
                  "The PAYROLL transaction that paid the net (null before execution, and for a "
                  "net of zero).")}},
      {"id", "employeeId", "status", "transactionId"});
  out = with_properties(std::move(out), add_amounts);
  add_amount_names(out.as_object()["required"].as_array());
  return out;
}

value preview() {
  auto preview_item = schema::object({{"employeeId", schema::uuid()}}, {"employeeId"});
  preview_item = with_properties(std::move(preview_item), add_amounts);
  add_amount_names(preview_item.as_object()["required"].as_array());
  return schema::object({{"type", schema::enumeration({"REGULAR", "OFF_CYCLE"})},
                         {"scheduleId", schema::nullable(schema::uuid())},
                         {"periodStart", schema::date()},
                         {"periodEnd", schema::date()},
                         {"payDate", schema::date()},
                         {"currency", currency()},
                         {"totals", totals()},
                         {"employeeCount", schema::integer(0)},
                         {"skipped", skipped()},
                         {"items", schema::array(std::move(preview_item))}},
                        {"type", "scheduleId", "periodStart", "periodEnd", "payDate", "currency",
                         "totals", "employeeCount", "skipped", "items"});
}

value payslip() {
  auto out = schema::object(
      {{"runId", schema::uuid()},
       {"employeeId", schema::uuid()},
       {"periodStart", schema::date()},
       {"periodEnd", schema::date()},
       {"payDate", schema::date()},
       {"currency", currency()},
       {"yearToDate",
        described(schema::object({{"gross", schema::integer()},
                                  {"tax", schema::integer()},
                                  {"net", schema::integer()}},
                                 {"gross", "tax", "net"}),
                  "Sums over the COMPLETED runs of the pay date's calendar year paid up to "
                  "the pay date, this run included unless it was reversed or cancelled.")}},
      {"runId", "employeeId", "periodStart", "periodEnd", "payDate", "currency", "yearToDate"});
  out = with_properties(std::move(out), add_amounts);
  add_amount_names(out.as_object()["required"].as_array());
  return out;
}

value reversal() {
  return schema::object({{"reason", described(schema::string(requests::k_reason),
                                              "Recorded on the compensating transactions "
                                              "(default \"Payroll run reversed\"). The body may "
                                              "be left out.")}});
}

}  // namespace payrollx::payroll::schemas
