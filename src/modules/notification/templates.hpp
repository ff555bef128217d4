#pragma once
// Notification templates: the event catalog with its placeholders and system defaults
// (template_defaults.cpp), and the {{placeholder}} syntax with its rendering (templates.cpp).
// Private to the notification module.
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace payrollx::notification {

struct Template {
  std::string subject;
  std::string body;  // plain text
};

// The eleven event types, in the API's fixed order: payroll.run.created, .approved, .completed,
// .reversed, payroll.payslip.available, wallet.deposit.completed,
// transaction.withdrawal.completed, .failed, employee.kyc.approved, .rejected, user.invited.
std::span<const std::string_view> event_types();
bool is_event_type(std::string_view name);

// The system default of an event type; throws std::invalid_argument for a name that is not one
// (callers check is_event_type first: an unknown name here is a bug).
Template default_template(std::string_view event_type);

// What a template of the event may use: its data keys, then recipient.firstName,
// recipient.lastName and organization.name. Empty for a name that is not an event type.
std::span<const std::string_view> placeholders_of(std::string_view event_type);

// The problems of a subject or body for the PUT's 400: each distinct unknown placeholder, an
// empty "{{}}", a "{{" never closed. Whitespace inside the braces is allowed ("{{ net }}").
// Empty when the text is fine.
std::vector<std::string> template_errors(std::string_view event_type, std::string_view text);

struct Rendered {
  std::string subject;  // one line: CR and LF became spaces
  std::string text;     // the body, placeholders substituted
};

// The body as a small HTML document, everything HTML-escaped (values and the template's own
// text alike), line breaks as <br>, made from the rendered text.
std::string html_of(const Rendered& rendered);

// Substitutes `values` (name → text, flattened by the caller from the event's data and the
// recipient and organization) into the template; a placeholder without a value renders as
// empty text, and an unclosed "{{" as itself. The HTML part escapes & < > " ' in the text and
// in every substituted value, and turns line breaks into <br>.
Rendered render(const Template& tmpl,
                const std::map<std::string, std::string, std::less<>>& values);

}  // namespace payrollx::notification
