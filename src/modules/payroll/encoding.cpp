#include "modules/payroll/encoding.hpp"

#include <stdexcept>

namespace payrollx::payroll {
namespace {

boost::json::value uuid_or_null(const std::optional<Uuid>& id) {
  if (!id) return nullptr;
  return boost::json::value(id->str());
}

// The amounts of an item or payslip, in the order the API documents them (the calculation's).
void put_amounts(boost::json::object& out, const Calculation& amounts) {
  out["basePay"] = amounts.base_pay;
  out["earnings"] = amounts.earnings;
  out["gross"] = amounts.gross;
  out["preTaxDeductions"] = amounts.pre_tax_deductions;
  out["taxable"] = amounts.taxable;
  out["tax"] = amounts.tax;
  out["postTaxDeductions"] = amounts.post_tax_deductions;
  out["net"] = amounts.net;
  out["lines"] = encoding::lines(amounts.lines);
}

// The run's fields that a preview has too.
void put_calculated_run(boost::json::object& out, const Run& run) {
  out["type"] = run.type;
  out["scheduleId"] = uuid_or_null(run.schedule_id);
  out["periodStart"] = to_iso_date(run.period_start);
  out["periodEnd"] = to_iso_date(run.period_end);
  out["payDate"] = to_iso_date(run.pay_date);
  out["currency"] = run.currency;
  out["totals"] = encoding::totals(run.totals);
  out["employeeCount"] = run.employee_count;
  out["skipped"] = encoding::skipped(run.skipped);
}

}  // namespace

namespace encoding {

boost::json::array lines(const std::vector<Line>& lines) {
  boost::json::array out;
  out.reserve(lines.size());
  for (const auto& line : lines)
    out.push_back({{"kind", line.kind}, {"name", line.name}, {"amount", line.amount}});
  return out;
}

boost::json::array skipped(const std::vector<Skipped>& skipped) {
  boost::json::array out;
  out.reserve(skipped.size());
  for (const auto& entry : skipped)
    out.push_back({{"employeeId", entry.employee_id.str()}, {"reason", entry.reason}});
  return out;
}

boost::json::object totals(const Totals& totals) {
  return {{"gross", totals.gross},
          {"preTaxDeductions", totals.pre_tax_deductions},
          {"tax", totals.tax},
          {"postTaxDeductions", totals.post_tax_deductions},
          {"net", totals.net}};
}

boost::json::object request(const RunRequest& request) {
  boost::json::object out;
  if (request.employee_ids) {
    boost::json::array ids;
    for (const auto& id : *request.employee_ids) ids.push_back(boost::json::value(id.str()));
    out["employeeIds"] = std::move(ids);
  }
  if (request.items) {
    boost::json::array items;
    for (const auto& item : *request.items)
      items.push_back({{"employeeId", item.employee_id.str()},
                       {"amount", item.amount},
                       {"description", item.description}});
    out["items"] = std::move(items);
  }
  return out;
}

void restore_lists(const boost::json::object& stored, RunRequest& request) {
  auto uuid = [](const boost::json::value& value) {
    auto id = Uuid::parse(value.as_string());
    if (!id) throw std::logic_error("a stored payroll request holds a bad employee id");
    return *id;
  };
  if (const auto* ids = stored.if_contains("employeeIds")) {
    request.employee_ids.emplace();
    for (const auto& id : ids->as_array()) request.employee_ids->push_back(uuid(id));
  }
  if (const auto* items = stored.if_contains("items")) {
    request.items.emplace();
    for (const auto& item : items->as_array())
      request.items->push_back({.employee_id = uuid(item.at("employeeId")),
                                .amount = item.at("amount").as_int64(),
                                .description = std::string(item.at("description").as_string())});
  }
}

}  // namespace encoding

boost::json::object to_json(const Schedule& schedule) {
  return {{"id", schedule.id.str()},
          {"name", schedule.name},
          {"frequency", to_string(schedule.frequency)},
          {"firstPeriodStart", to_iso_date(schedule.first_period_start)},
          {"payDateOffsetDays", schedule.pay_date_offset_days},
          {"currency", schedule.currency},
          {"autoExecute", schedule.auto_execute},
          {"status", to_string(schedule.status)},
          {"nextPeriodStart", to_iso_date(schedule.next_period_start)},
          {"createdAt", to_rfc3339(schedule.created_at)},
          {"updatedAt", to_rfc3339(schedule.updated_at)}};
}

boost::json::object to_json(const Run& run) {
  boost::json::object out;
  out["id"] = run.id.str();
  out["status"] = to_string(run.status);
  put_calculated_run(out, run);
  out["createdBy"] = uuid_or_null(run.created_by);
  out["approvedBy"] = uuid_or_null(run.approved_by);
  out["imported"] = run.imported;
  return out;
}

boost::json::object to_json(const Item& item) {
  boost::json::object out;
  out["id"] = item.id.str();
  out["employeeId"] = item.employee_id.str();
  put_amounts(out, item.amounts);
  out["status"] = to_string(item.status);
  out["transactionId"] = uuid_or_null(item.transaction_id);
  return out;
}

boost::json::object to_json(const Draft& draft) {
  boost::json::object out;
  put_calculated_run(out, draft.run);
  boost::json::array items;
  items.reserve(draft.items.size());
  for (const auto& item : draft.items) {
    boost::json::object entry;
    entry["employeeId"] = item.employee_id.str();
    put_amounts(entry, item.amounts);
    items.push_back(std::move(entry));
  }
  out["items"] = std::move(items);
  return out;
}

boost::json::object to_json(const Payslip& payslip) {
  boost::json::object out;
  out["runId"] = payslip.run.id.str();
  out["employeeId"] = payslip.item.employee_id.str();
  out["periodStart"] = to_iso_date(payslip.run.period_start);
  out["periodEnd"] = to_iso_date(payslip.run.period_end);
  out["payDate"] = to_iso_date(payslip.run.pay_date);
  out["currency"] = payslip.run.currency;
  put_amounts(out, payslip.item.amounts);
  out["yearToDate"] = {{"gross", payslip.year_to_date.gross},
                       {"tax", payslip.year_to_date.tax},
                       {"net", payslip.year_to_date.net}};
  return out;
}

}  // namespace payrollx::payroll
