#pragma once
// What the payroll module tells the audit log and the inbox about its changes. Private to the
// payroll module.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "modules/compliance/compliance.hpp"
#include "modules/notification/notification.hpp"
#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll::events {

inline constexpr std::string_view k_run_entity = "payroll_run";
inline constexpr std::string_view k_schedule_entity = "pay_schedule";

// A run's audit entry; `before` is none when the run was created.
compliance::AuditEntry run_entry(std::string action, const std::optional<Run>& before,
                                 const Run& after, const compliance::Actor& actor);
compliance::AuditEntry schedule_entry(std::string action, const std::optional<Schedule>& before,
                                      const Schedule& after, const compliance::Actor& actor);

// One notice per item whose employee has a portal user (`user_of`: employee → user), about their
// own amounts: payroll.payslip.available after execution, payroll.run.reversed after reversal.
std::vector<notification::Notice> employee_notices(const Run& run, std::span<const Item> items,
                                                   const std::map<Uuid, Uuid>& user_of,
                                                   std::string_view event_type);

// The run's notice to some of the members who handle it (each once; the scheduler, which drafts
// runs without a user, is nobody): payroll.run.approved, payroll.run.completed.
std::vector<notification::Notice> member_notices(const Run& run, std::string_view event_type,
                                                 const std::vector<std::optional<Uuid>>& members);

// The run's webhook event (payroll.run.created, approved, completed, reversed): once per run.
notification::Event run_event(const Run& run, std::string_view event_type);
// payroll.payslip.available for the organisation's endpoints: one event per paid item.
std::vector<notification::Event> payslip_events(const Run& run, std::span<const Item> items);

}  // namespace payrollx::payroll::events
