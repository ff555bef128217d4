#include "modules/payroll/events.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace payrollx::payroll::events {
namespace {

std::string period_text(const Run& run) {
  return fmt::format("{} to {}", to_iso_date(run.period_start), to_iso_date(run.period_end));
}

boost::json::object run_data(const Run& run) {
  return {{"runId", run.id.str()},
          {"type", run.type},
          {"periodStart", to_iso_date(run.period_start)},
          {"periodEnd", to_iso_date(run.period_end)},
          {"payDate", to_iso_date(run.pay_date)},
          {"currency", run.currency},
          {"totalNet", run.totals.net},
          {"employeeCount", run.employee_count}};
}

// An employee's own part of the run.
boost::json::object item_data(const Run& run, const Item& item) {
  auto data = run_data(run);
  data.erase("totalNet");
  data.erase("employeeCount");
  data["employeeId"] = item.employee_id.str();
  data["net"] = item.amounts.net;
  data["gross"] = item.amounts.gross;
  if (item.transaction_id) data["transactionId"] = item.transaction_id->str();
  return data;
}

struct Wording {
  std::string title;
  std::string body;
};

Wording employee_wording(std::string_view event_type, const Run& run, const Item& item) {
  if (event_type == "payroll.run.reversed")
    return {"Your pay was reversed",
            fmt::format("The payroll run for {} was reversed: {} {} (minor units) went back to "
                        "your employer.",
                        period_text(run), item.amounts.net, run.currency)};
  return {"Your payslip is available",
          fmt::format("Your payslip for {} is available: net pay {} {} (minor units), paid on {}.",
                      period_text(run), item.amounts.net, run.currency, to_iso_date(run.pay_date))};
}

Wording member_wording(std::string_view event_type, const Run& run) {
  if (event_type == "payroll.run.approved")
    return {"Payroll run approved",
            fmt::format("The {} payroll run for {} was approved: {} {} (minor units) are held.",
                        run.type, period_text(run), run.totals.net, run.currency)};
  return {
      "Payroll run completed",
      fmt::format("The {} payroll run for {} was paid: {} {} (minor units) to {} employees.",
                  run.type, period_text(run), run.totals.net, run.currency, run.employee_count)};
}

}  // namespace

compliance::AuditEntry run_entry(std::string action, const std::optional<Run>& before,
                                 const Run& after, const compliance::Actor& actor) {
  return {.organization_id = after.organization_id,
          .actor = actor,
          .action = std::move(action),
          .entity_type = std::string(k_run_entity),
          .entity_id = after.id,
          .before = before ? boost::json::value(to_json(*before)) : boost::json::value(nullptr),
          .after = to_json(after)};
}

compliance::AuditEntry schedule_entry(std::string action, const std::optional<Schedule>& before,
                                      const Schedule& after, const compliance::Actor& actor) {
  return {.organization_id = after.organization_id,
          .actor = actor,
          .action = std::move(action),
          .entity_type = std::string(k_schedule_entity),
          .entity_id = after.id,
          .before = before ? boost::json::value(to_json(*before)) : boost::json::value(nullptr),
          .after = to_json(after)};
}

std::vector<notification::Notice> employee_notices(const Run& run, std::span<const Item> items,
                                                   const std::map<Uuid, Uuid>& user_of,
                                                   std::string_view event_type) {
  std::vector<notification::Notice> notices;
  notices.reserve(items.size());
  for (const auto& item : items) {
    auto user = user_of.find(item.employee_id);
    if (user == user_of.end()) continue;
    auto wording = employee_wording(event_type, run, item);
    notices.push_back({.organization_id = run.organization_id,
                       .user_id = user->second,
                       .event_type = std::string(event_type),
                       .title = std::move(wording.title),
                       .body = std::move(wording.body),
                       .data = item_data(run, item)});
  }
  return notices;
}

std::vector<notification::Notice> member_notices(const Run& run, std::string_view event_type,
                                                 const std::vector<std::optional<Uuid>>& members) {
  std::set<Uuid> recipients;
  for (const auto& member : members)
    if (member) recipients.insert(*member);
  std::vector<notification::Notice> notices;
  for (const auto& user_id : recipients) {
    auto wording = member_wording(event_type, run);
    notices.push_back({.organization_id = run.organization_id,
                       .user_id = user_id,
                       .event_type = std::string(event_type),
                       .title = std::move(wording.title),
                       .body = std::move(wording.body),
                       .data = run_data(run)});
  }
  return notices;
}

notification::Event run_event(const Run& run, std::string_view event_type) {
  return {.organization_id = run.organization_id,
          .event_type = std::string(event_type),
          .data = run_data(run)};
}

std::vector<notification::Event> payslip_events(const Run& run, std::span<const Item> items) {
  std::vector<notification::Event> published;
  published.reserve(items.size());
  for (const auto& item : items)
    published.push_back({.organization_id = run.organization_id,
                         .event_type = "payroll.payslip.available",
                         .data = item_data(run, item)});
  return published;
}

}  // namespace payrollx::payroll::events
