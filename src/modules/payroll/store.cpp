#include "modules/payroll/store.hpp"

#include <boost/json/array.hpp>

namespace payrollx::payroll::store {
namespace {

std::string text_of(const boost::json::value& value) {
  return std::string(value.as_string());
}

// The skipped list and the lines are written by this module only, so a malformed one is a bug:
// as_*() throws and the request fails as a 500, which is what a bug deserves.
std::vector<Skipped> skipped_of(const boost::json::value& value) {
  std::vector<Skipped> skipped;
  for (const auto& entry : value.as_array()) {
    const auto& object = entry.as_object();
    auto id = Uuid::parse(object.at("employeeId").as_string());
    if (!id) throw db::DecodeError("payroll_runs.skipped holds a bad employee id");
    skipped.push_back({.employee_id = *id, .reason = text_of(object.at("reason"))});
  }
  return skipped;
}

std::vector<Line> lines_of(const boost::json::value& value) {
  std::vector<Line> lines;
  for (const auto& entry : value.as_array()) {
    const auto& object = entry.as_object();
    lines.push_back({.kind = text_of(object.at("kind")),
                     .name = text_of(object.at("name")),
                     .amount = object.at("amount").as_int64()});
  }
  return lines;
}

}  // namespace

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

Calculation amounts_from(const db::Row& row) {
  return {.base_pay = row.get<std::int64_t>("base_pay"),
          .earnings = row.get<std::int64_t>("earnings"),
          .gross = row.get<std::int64_t>("gross"),
          .pre_tax_deductions = row.get<std::int64_t>("pre_tax_deductions"),
          .taxable = row.get<std::int64_t>("taxable"),
          .tax = row.get<std::int64_t>("tax"),
          .post_tax_deductions = row.get<std::int64_t>("post_tax_deductions"),
          .net = row.get<std::int64_t>("net"),
          .lines = {}};
}

Item item_from(const db::Row& row) {
  auto amounts = amounts_from(row);
  amounts.lines = lines_of(row.get<boost::json::value>("lines"));
  return {.id = row.get<Uuid>("id"),
          .run_id = row.get<Uuid>("run_id"),
          .employee_id = row.get<Uuid>("employee_id"),
          .wallet_id = row.get<Uuid>("wallet_id"),
          .position = row.get<int>("position"),
          .amounts = std::move(amounts),
          .status = k_item_statuses.stored(row.get<std::string>("status"),
                                           "payroll.payroll_items.status"),
          .transaction_id = row.get<std::optional<Uuid>>("transaction_id"),
          .reversal_transaction_id = row.get<std::optional<Uuid>>("reversal_transaction_id")};
}

}  // namespace payrollx::payroll::store
