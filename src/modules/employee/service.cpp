// Employees: creation (with the wallet and, on request, the portal user), reads, audited changes,
// termination, KYC review and the external wallet address. Every query is scoped to the caller's
// organisation; another organisation's ids are "not found".
#include <fmt/format.h>

#include <boost/json/array.hpp>

#include "core/auth/principal.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/auth/auth.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/store.hpp"
#include "modules/notification/notification.hpp"

namespace payrollx::employee {
namespace {

using boost::asio::awaitable;

constexpr std::string_view k_entity = "employee";

boost::json::value text_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::value(*text);
}

Employee found_employee(std::optional<Employee> employee) {
  if (!employee) throw not_found("The employee does not exist.");
  return std::move(*employee);
}

// The unique index that refused a row, as the client's field.
[[noreturn]] void throw_taken(const db::Error& error) {
  if (error.constraint() == store::k_email_index)
    throw conflict("Another employee of the organisation has this email.",
                   {{"email", "is already used by another employee"}});
  if (error.constraint() == store::k_number_index)
    throw conflict("Another employee of the organisation has this employee number.",
                   {{"employeeNumber", "is already used by another employee"}});
  throw error;
}

Employee patched(Employee employee, const EmployeePatch& patch) {
  if (patch.first_name) employee.first_name = *patch.first_name;
  if (patch.last_name) employee.last_name = *patch.last_name;
  if (patch.email) employee.email = *patch.email;
  if (patch.employee_number) employee.employee_number = *patch.employee_number;
  if (patch.department) employee.department = *patch.department;
  if (patch.position) employee.position = *patch.position;
  if (patch.hire_date) employee.hire_date = *patch.hire_date;
  if (patch.salary) employee.salary = *patch.salary;
  if (patch.pay_frequency) employee.pay_frequency = *patch.pay_frequency;
  return employee;
}

bool same_content(const Employee& a, const Employee& b) {
  return a.first_name == b.first_name && a.last_name == b.last_name && a.email == b.email &&
         a.employee_number == b.employee_number && a.department == b.department &&
         a.position == b.position && a.hire_date == b.hire_date &&
         a.salary.amount == b.salary.amount && a.salary.currency == b.salary.currency &&
         a.salary.period == b.salary.period && a.pay_frequency == b.pay_frequency;
}

compliance::AuditEntry audit_entry(const Employee& employee, const compliance::Actor& actor,
                                   std::string_view action, boost::json::value before,
                                   boost::json::value after) {
  return {.organization_id = employee.organization_id,
          .actor = actor,
          .action = std::string(action),
          .entity_type = std::string(k_entity),
          .entity_id = employee.id,
          .before = std::move(before),
          .after = std::move(after)};
}

boost::json::array components_json(const std::vector<Component>& components,
                                   std::string_view currency) {
  boost::json::array list;
  for (const auto& component : components) list.push_back(to_json(component, currency));
  return list;
}

}  // namespace

boost::json::object to_json(const Employee& employee) {
  auto optional_uuid = [](const std::optional<Uuid>& id) -> boost::json::value {
    if (!id) return nullptr;
    return boost::json::value(id->str());
  };
  boost::json::value termination = nullptr;
  if (employee.termination_date) termination = to_iso_date(*employee.termination_date);
  boost::json::value reviewed_at = nullptr;
  if (employee.kyc_reviewed_at) reviewed_at = to_rfc3339(*employee.kyc_reviewed_at);
  return {{"id", employee.id.str()},
          {"userId", optional_uuid(employee.user_id)},
          {"walletId", employee.wallet_id.str()},
          {"firstName", employee.first_name},
          {"lastName", employee.last_name},
          {"email", employee.email},
          {"employeeNumber", text_or_null(employee.employee_number)},
          {"department", text_or_null(employee.department)},
          {"position", text_or_null(employee.position)},
          {"hireDate", to_iso_date(employee.hire_date)},
          {"terminationDate", std::move(termination)},
          {"status", to_string(employee.status)},
          {"salary",
           {{"amount", employee.salary.amount},
            {"currency", employee.salary.currency},
            {"period", employee.salary.period}}},
          {"payFrequency", employee.pay_frequency},
          {"kycStatus", to_string(employee.kyc_status)},
          {"kycRejectionReason", text_or_null(employee.kyc_rejection_reason)},
          {"kycReviewedAt", std::move(reviewed_at)},
          {"walletAddress", text_or_null(employee.wallet_address)},
          {"createdAt", to_rfc3339(employee.created_at)},
          {"updatedAt", to_rfc3339(employee.updated_at)}};
}

boost::json::object to_json(const Component& component, std::string_view currency) {
  auto optional_int = [](const std::optional<std::int64_t>& value) -> boost::json::value {
    if (!value) return nullptr;
    return *value;
  };
  boost::json::value effective_to = nullptr;
  if (component.effective_to) effective_to = to_iso_date(*component.effective_to);
  return {{"kind", component.kind},
          {"name", component.name},
          {"calc", component.calc},
          {"amount", optional_int(component.amount)},
          {"currency", currency},
          {"rateBasisPoints", optional_int(component.rate_basis_points)},
          {"preTax", component.pre_tax},
          {"effectiveFrom", to_iso_date(component.effective_from)},
          {"effectiveTo", std::move(effective_to)}};
}

Service::Service(db::Pool& pool, compliance::AuditLog& audit, notification::Inbox& inbox,
                 wallet::Service& wallets, auth::Service& users)
    : pool_(pool), audit_(audit), inbox_(inbox), wallets_(wallets), users_(users) {}

awaitable<void> Service::check_currency(db::Session& session, const std::string& currency) {
  const bool known = co_await store::currency_known(session, currency);
  if (!known) throw validation_failed("salary.currency", "is not a known currency");
}

awaitable<CreatedEmployee> Service::create(db::Tx& tx, const Uuid& organization_id,
                                           const NewEmployee& input,
                                           const compliance::Actor& actor) {
  co_await check_currency(tx, input.salary.currency);
  // The id is made here: the wallet's owner must be known before the employee row exists.
  const auto employee_id = Uuid::random();
  const wallet::NewWallet new_wallet{.owner_type = wallet::OwnerType::employee,
                                     .owner_id = employee_id,
                                     .currency = input.salary.currency};
  auto wallet = co_await wallets_.open(tx, organization_id, new_wallet, actor);

  std::optional<Employee> inserted;
  try {
    inserted = co_await store::insert(tx, employee_id, organization_id, wallet.id, input);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw_taken(e);
    throw;
  }
  CreatedEmployee created{.employee = std::move(*inserted)};

  if (input.create_user_account) {
    const auth::NewInvitation invitation_input{.organization_id = organization_id,
                                               .email = input.email,
                                               .first_name = input.first_name,
                                               .last_name = input.last_name,
                                               .role = Role::employee};
    auto invitation = co_await users_.invite(tx, invitation_input, actor);
    created.employee =
        co_await store::link_user(tx, organization_id, employee_id, invitation.user.id);
    created.invitation_token = std::move(invitation.token);
    created.invitation_expires_at = invitation.expires_at;
  }

  auto entry =
      audit_entry(created.employee, actor, "employee.created", nullptr, to_json(created.employee));
  co_await audit_.append(tx, std::move(entry));
  co_return created;
}

awaitable<Employee> Service::get(db::Session& session, const Uuid& organization_id,
                                 const Uuid& employee_id) {
  auto employee = co_await store::select(session, organization_id, employee_id);
  co_return found_employee(std::move(employee));
}

awaitable<Employee> Service::get(const Uuid& organization_id, const Uuid& employee_id) {
  auto employee = co_await store::select(pool_, organization_id, employee_id);
  co_return found_employee(std::move(employee));
}

awaitable<Employee> Service::mine(const Principal& caller) {
  auto employee = co_await store::select_by_user(pool_, caller.org(), caller.user_id);
  if (!employee) throw not_found("You have no employee record.");
  co_return std::move(*employee);
}

awaitable<std::vector<Employee>> Service::list(const Uuid& organization_id,
                                               const EmployeeFilter& filter,
                                               const http::PageRequest& page) {
  const auto after_created_at = page.after_created_at();
  const auto after_id = page.after_id();
  co_return co_await store::select_page(pool_, organization_id, filter, after_created_at, after_id,
                                        page.limit + 1);
}

awaitable<Employee> Service::lock(db::Tx& tx, const Uuid& organization_id,
                                  const Uuid& employee_id) {
  auto employee = co_await store::lock(tx, organization_id, employee_id);
  co_return found_employee(std::move(employee));
}

awaitable<Employee> Service::update(db::Tx& tx, const Uuid& organization_id,
                                    const Uuid& employee_id, const EmployeePatch& patch,
                                    const compliance::Actor& actor) {
  auto before = co_await lock(tx, organization_id, employee_id);
  auto wanted = patched(before, patch);
  if (same_content(before, wanted)) co_return before;
  if (before.termination_date && wanted.hire_date > *before.termination_date)
    throw validation_failed("hireDate", "must not be after the termination date");

  if (wanted.salary.currency != before.salary.currency) {
    co_await check_currency(tx, wanted.salary.currency);
    auto existing = co_await wallets_.find(tx, organization_id, wallet::OwnerType::employee,
                                           employee_id, wanted.salary.currency);
    if (existing) {
      wanted.wallet_id = existing->id;
    } else {
      const wallet::NewWallet new_wallet{.owner_type = wallet::OwnerType::employee,
                                         .owner_id = employee_id,
                                         .currency = wanted.salary.currency};
      auto opened = co_await wallets_.open(tx, organization_id, new_wallet, actor);
      wanted.wallet_id = opened.id;
    }
  }

  std::optional<Employee> updated;
  try {
    updated = co_await store::update(tx, wanted);
  } catch (const db::Error& e) {
    if (e.is_unique_violation()) throw_taken(e);
    throw;
  }
  auto after = std::move(*updated);
  auto entry = audit_entry(after, actor, "employee.updated", to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<Employee> Service::terminate(db::Tx& tx, const Uuid& organization_id,
                                       const Uuid& employee_id, Date termination_date,
                                       const compliance::Actor& actor) {
  auto before = co_await lock(tx, organization_id, employee_id);
  if (before.status != Status::active) throw invalid_state("The employee is already terminated.");
  if (termination_date < before.hire_date)
    throw validation_failed("terminationDate", "must not be before the hire date");
  auto after = co_await store::terminate(tx, organization_id, employee_id, termination_date);
  auto entry = audit_entry(after, actor, "employee.terminated", to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<Employee> Service::approve_kyc(db::Tx& tx, const Uuid& organization_id,
                                         const Uuid& employee_id, const compliance::Actor& actor) {
  co_return co_await review_kyc(tx, organization_id, employee_id, std::nullopt, actor);
}

awaitable<Employee> Service::reject_kyc(db::Tx& tx, const Uuid& organization_id,
                                        const Uuid& employee_id, const std::string& reason,
                                        const compliance::Actor& actor) {
  co_return co_await review_kyc(tx, organization_id, employee_id, reason, actor);
}

// Approving needs a review that has not approved already (PENDING, or REJECTED once new evidence
// came in); rejecting needs one that has not rejected already (PENDING, or APPROVED when the
// evidence turns out to be bad). Repeating the current verdict is refused, not silently kept:
// the client asked for a change that did not happen.
awaitable<Employee> Service::review_kyc(db::Tx& tx, const Uuid& organization_id,
                                        const Uuid& employee_id,
                                        const std::optional<std::string>& reason,
                                        const compliance::Actor& actor) {
  const bool approve = !reason;
  const auto status = approve ? KycStatus::approved : KycStatus::rejected;
  auto before = co_await lock(tx, organization_id, employee_id);
  if (before.kyc_status == status)
    throw invalid_state(fmt::format("The employee's KYC is already {}.", to_string(status)));

  auto after =
      co_await store::set_kyc(tx, organization_id, employee_id, status, reason, actor.user_id);
  auto entry =
      audit_entry(after, actor, approve ? "employee.kyc_approved" : "employee.kyc_rejected",
                  to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));

  boost::json::object data{{"employeeId", after.id.str()}, {"kycStatus", to_string(status)}};
  if (reason) data["reason"] = *reason;
  if (after.user_id) {
    notification::Notice notice{
        .organization_id = organization_id,
        .user_id = *after.user_id,
        .event_type = approve ? "employee.kyc.approved" : "employee.kyc.rejected",
        .title = approve ? "Your identity check is approved" : "Your identity check was rejected",
        .body = approve ? "Your KYC review is complete: you can now be paid through PayrollX."
                        : fmt::format("Your KYC review was rejected: {}", *reason),
        .data = data};
    co_await inbox_.enqueue(tx, std::move(notice));
  }
  notification::Event event{
      .organization_id = organization_id,
      .event_type = approve ? "employee.kyc.approved" : "employee.kyc.rejected",
      .data = std::move(data)};
  co_await inbox_.publish(tx, std::move(event));
  co_return after;
}

awaitable<Employee> Service::set_wallet_address(db::Tx& tx, const Uuid& organization_id,
                                                const Uuid& employee_id, const std::string& address,
                                                const compliance::Actor& actor) {
  auto before = co_await lock(tx, organization_id, employee_id);
  if (before.wallet_address == address) co_return before;
  auto after = co_await store::set_wallet_address(tx, organization_id, employee_id, address);
  auto entry =
      audit_entry(after, actor, "employee.wallet_address_updated", to_json(before), to_json(after));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<std::vector<Component>> Service::components(db::Session& session,
                                                      const Uuid& organization_id,
                                                      const Uuid& employee_id) {
  co_return co_await store::select_components(session, organization_id, employee_id);
}

awaitable<std::vector<Component>> Service::replace_components(
    db::Tx& tx, const Uuid& organization_id, const Uuid& employee_id,
    const std::vector<Component>& components, const compliance::Actor& actor) {
  auto employee = co_await lock(tx, organization_id, employee_id);
  auto before = co_await this->components(tx, organization_id, employee_id);
  co_await store::replace_components(tx, organization_id, employee_id, components);
  auto after = co_await this->components(tx, organization_id, employee_id);
  const auto& currency = employee.salary.currency;
  auto entry = audit_entry(employee, actor, "employee.components_replaced",
                           components_json(before, currency), components_json(after, currency));
  co_await audit_.append(tx, std::move(entry));
  co_return after;
}

awaitable<std::optional<Uuid>> Service::employee_of_user(const Uuid& organization_id,
                                                         const Uuid& user_id) {
  co_return co_await store::id_of_user(pool_, organization_id, user_id);
}

awaitable<std::optional<Uuid>> Service::user_of_employee(db::Session& session,
                                                         const Uuid& organization_id,
                                                         const Uuid& employee_id) {
  co_return co_await store::user_of(session, organization_id, employee_id);
}

awaitable<bool> Service::has_employee(const Uuid& organization_id, const Uuid& employee_id) {
  co_return co_await store::exists(pool_, organization_id, employee_id);
}

}  // namespace payrollx::employee
