#pragma once
// employee — employees of an organisation: their records (salary, pay frequency, status), each
// one's wallet (opened through the wallet module), compensation components, documents (bytes in
// PostgreSQL), KYC state, external wallet address, and the CSV import. Implements the wallet
// module's EmployeeDirectory (which user is which employee).
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/enum_names.hpp"
#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/wallet/wallet.hpp"

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
struct Actor;
}  // namespace compliance
namespace notification {
class Inbox;
}
namespace auth {
class Service;
}
}  // namespace payrollx

namespace payrollx::employee {

// The states below are stored and answered by these names (core/enum_names.hpp).

// ACTIVE until terminated; a terminated employee stays TERMINATED.
enum class Status { active, terminated };
inline constexpr auto k_statuses =
    enum_names<Status>({{Status::active, "ACTIVE"}, {Status::terminated, "TERMINATED"}});
PAYROLLX_ENUM_NAMES(Status, k_statuses, parse_status)

// PENDING until a review approves or rejects it; a later review may turn either verdict.
enum class KycStatus { pending, approved, rejected };
inline constexpr auto k_kyc_statuses = enum_names<KycStatus>({{KycStatus::pending, "PENDING"},
                                                              {KycStatus::approved, "APPROVED"},
                                                              {KycStatus::rejected, "REJECTED"}});
PAYROLLX_ENUM_NAMES(KycStatus, k_kyc_statuses, parse_kyc_status)

struct Salary {
  std::int64_t amount = 0;  // minor units of `currency`, > 0
  std::string currency;
  std::string period;  // ANNUAL, MONTHLY, HOURLY
};

struct Employee {
  Uuid id;
  Uuid organization_id;
  std::optional<Uuid> user_id;  // the portal user (role EMPLOYEE), if any
  Uuid wallet_id;               // the employee's wallet in the salary currency
  std::string first_name;
  std::string last_name;
  std::string email;  // lower case
  std::optional<std::string> employee_number;
  std::optional<std::string> department;
  std::optional<std::string> position;
  Date hire_date;
  std::optional<Date> termination_date;
  Status status = Status::active;
  Salary salary;
  std::string pay_frequency;  // WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY
  KycStatus kyc_status = KycStatus::pending;
  std::optional<std::string> kyc_rejection_reason;
  std::optional<Timestamp> kyc_reviewed_at;
  std::optional<std::string> wallet_address;  // Solana base58 public key
  Timestamp created_at;
  Timestamp updated_at;
};

// {id,userId,walletId,firstName,lastName,email,employeeNumber,department,position,hireDate,
//  terminationDate,status,salary:{amount,currency,period},payFrequency,kycStatus,
//  kycRejectionReason,kycReviewedAt,walletAddress,createdAt,updatedAt}
boost::json::object to_json(const Employee& employee);

struct NewEmployee {
  std::string first_name;
  std::string last_name;
  std::string email;
  std::optional<std::string> employee_number;
  std::optional<std::string> department;
  std::optional<std::string> position;
  Date hire_date;
  Salary salary;
  std::string pay_frequency = "MONTHLY";
  bool create_user_account = false;
};

struct CreatedEmployee {
  Employee employee;
  // With create_user_account: the invitation's token (shown once) and expiry.
  std::optional<std::string> invitation_token;
  std::optional<Timestamp> invitation_expires_at;
};

// A partial update: absent fields stay; for the Patch<> fields, null clears the value.
struct EmployeePatch {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;
  std::optional<std::optional<std::string>> employee_number;
  std::optional<std::optional<std::string>> department;
  std::optional<std::optional<std::string>> position;
  std::optional<Date> hire_date;
  std::optional<Salary> salary;
  std::optional<std::string> pay_frequency;
};

struct EmployeeFilter {
  std::optional<Status> status;
  std::optional<std::string> department;  // case-insensitive exact match
  std::optional<KycStatus> kyc_status;
  std::optional<std::string> q;  // case-insensitive substring of the name or email
};

// An earning or deduction; FIXED amounts are minor units of the salary currency.
struct Component {
  std::string kind;  // EARNING, DEDUCTION
  std::string name;
  std::string calc;  // FIXED, PERCENT
  std::optional<std::int64_t> amount;
  std::optional<std::int64_t> rate_basis_points;
  bool pre_tax = false;  // deductions only
  Date effective_from;
  std::optional<Date> effective_to;  // inclusive
};

boost::json::object to_json(const Component& component, std::string_view currency);

// What a payroll run calculates an employee's pay from, and no more of the employee: a run
// reads 100,000 of them at once.
struct Payee {
  Uuid id;
  Uuid wallet_id;  // the employee's wallet in the salary currency
  Date hire_date;
  std::optional<Date> termination_date;
  Salary salary;
  std::string pay_frequency;  // WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY
  KycStatus kyc_status = KycStatus::pending;
};

// An employee with all their components: what a payroll run calculates from.
struct RosterEntry {
  Payee payee;
  std::vector<Component> components;  // in the client's order; the run picks the effective ones
};

struct Document {
  Uuid id;
  Uuid employee_id;
  std::string document_type;
  std::string file_name;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;  // lower-case hex
  Timestamp created_at;
};

// {id,employeeId,documentType,fileName,contentType,size,sha256,createdAt}
boost::json::object to_json(const Document& document);

struct NewDocument {
  std::string document_type;
  std::string file_name;
  std::string content_type;  // application/pdf, image/png or image/jpeg, checked by magic bytes
  std::string bytes;
};

struct DocumentContent {
  std::string content_type;
  std::string file_name;
  std::string bytes;
};

struct ImportError {
  std::size_t row = 0;  // data rows from 1; 0 for the header or the file as a whole
  std::optional<std::string> field;
  std::string message;
};

struct ImportResult {
  std::int64_t created = 0;
  std::size_t rows = 0;  // data rows read
  bool dry_run = false;
  std::vector<ImportError> errors;
  bool errors_truncated = false;
};

class Service : public wallet::EmployeeDirectory {
 public:
  Service(db::Pool& pool, compliance::AuditLog& audit, notification::Inbox& inbox,
          wallet::Service& wallets, auth::Service& users);

  // The employee, their wallet (in the salary currency, owner = the employee) and, with
  // create_user_account, their invitation as an EMPLOYEE user, in the caller's transaction,
  // audited ("employee.created"). 409 when the email or employee number is taken in the
  // organisation (or the email by another user); 400 for an unknown currency.
  boost::asio::awaitable<CreatedEmployee> create(db::Tx& tx, const Uuid& organization_id,
                                                 const NewEmployee& input,
                                                 const compliance::Actor& actor);
  // 404 when it is not the organisation's.
  boost::asio::awaitable<Employee> get(db::Session& session, const Uuid& organization_id,
                                       const Uuid& employee_id);
  boost::asio::awaitable<Employee> get(const Uuid& organization_id, const Uuid& employee_id);
  // The employee record of a caller with role EMPLOYEE; 404 when they have none.
  boost::asio::awaitable<Employee> mine(const Principal& caller);
  // Newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Employee>> list(const Uuid& organization_id,
                                                     const EmployeeFilter& filter,
                                                     const http::PageRequest& page);

  // Audited ("employee.updated", before and after); a patch that changes nothing writes nothing.
  // A new salary currency moves walletId to the employee's wallet in that currency (opened when
  // missing); the old wallet keeps its money.
  boost::asio::awaitable<Employee> update(db::Tx& tx, const Uuid& organization_id,
                                          const Uuid& employee_id, const EmployeePatch& patch,
                                          const compliance::Actor& actor);
  // ACTIVE → TERMINATED (409 invalid_state otherwise; 400 before the hire date).
  boost::asio::awaitable<Employee> terminate(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& employee_id, Date termination_date,
                                             const compliance::Actor& actor);
  // PENDING or REJECTED → APPROVED; PENDING or APPROVED → REJECTED (409 invalid_state
  // otherwise). Audited, and the employee's user (if any) is notified in-app.
  boost::asio::awaitable<Employee> approve_kyc(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& employee_id,
                                               const compliance::Actor& actor);
  boost::asio::awaitable<Employee> reject_kyc(db::Tx& tx, const Uuid& organization_id,
                                              const Uuid& employee_id, const std::string& reason,
                                              const compliance::Actor& actor);
  boost::asio::awaitable<Employee> set_wallet_address(db::Tx& tx, const Uuid& organization_id,
                                                      const Uuid& employee_id,
                                                      const std::string& address,
                                                      const compliance::Actor& actor);

  boost::asio::awaitable<std::vector<Component>> components(db::Session& session,
                                                            const Uuid& organization_id,
                                                            const Uuid& employee_id);
  // Replaces the whole list, audited ("employee.components_replaced").
  boost::asio::awaitable<std::vector<Component>> replace_components(
      db::Tx& tx, const Uuid& organization_id, const Uuid& employee_id,
      const std::vector<Component>& components, const compliance::Actor& actor);

  // Audited ("employee.document_uploaded", metadata only).
  boost::asio::awaitable<Document> add_document(db::Tx& tx, const Uuid& organization_id,
                                                const Uuid& employee_id, const NewDocument& input,
                                                const compliance::Actor& actor);
  // Newest first: up to page.limit + 1.
  boost::asio::awaitable<std::vector<Document>> documents(const Uuid& organization_id,
                                                          const Uuid& employee_id,
                                                          const http::PageRequest& page);
  boost::asio::awaitable<DocumentContent> document_content(const Uuid& organization_id,
                                                           const Uuid& employee_id,
                                                           const Uuid& document_id);

  // The organisation's employees (all of them, or those of `employee_ids`; unknown ids are left
  // out) with their components, ordered by last name, first name and id: two statements whatever
  // their number, on the caller's session (a payroll run's snapshot).
  boost::asio::awaitable<std::vector<RosterEntry>> roster(
      db::Session& session, const Uuid& organization_id,
      const std::optional<std::vector<Uuid>>& employee_ids);
  // "First Last" of each of the employees (unknown ids are left out): one statement, on the
  // caller's session (a report's snapshot).
  boost::asio::awaitable<std::map<Uuid, std::string>> names(db::Session& session,
                                                            const Uuid& organization_id,
                                                            const std::vector<Uuid>& employee_ids);
  // The portal users of those of the employees that have one, as (employee, user) pairs: one
  // statement, on the caller's session (the recipients of a run's notices).
  boost::asio::awaitable<std::vector<std::pair<Uuid, Uuid>>> portal_users(
      db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& employee_ids);

  // The CSV import (see import.cpp): all rows or none, set-based, in its own transaction.
  boost::asio::awaitable<ImportResult> import_csv(const Uuid& organization_id, std::string csv,
                                                  bool dry_run, const compliance::Actor& actor);

  // wallet::EmployeeDirectory
  boost::asio::awaitable<std::optional<Uuid>> employee_of_user(const Uuid& organization_id,
                                                               const Uuid& user_id) override;
  boost::asio::awaitable<std::optional<Uuid>> user_of_employee(db::Session& session,
                                                               const Uuid& organization_id,
                                                               const Uuid& employee_id) override;
  boost::asio::awaitable<bool> has_employee(const Uuid& organization_id,
                                            const Uuid& employee_id) override;

  db::Pool& pool() { return pool_; }

 private:
  boost::asio::awaitable<Employee> lock(db::Tx& tx, const Uuid& organization_id,
                                        const Uuid& employee_id);
  boost::asio::awaitable<void> check_currency(db::Session& session, const std::string& currency);
  boost::asio::awaitable<Employee> review_kyc(db::Tx& tx, const Uuid& organization_id,
                                              const Uuid& employee_id,
                                              const std::optional<std::string>& reason,
                                              const compliance::Actor& actor);

  db::Pool& pool_;
  compliance::AuditLog& audit_;
  notification::Inbox& inbox_;
  wallet::Service& wallets_;
  auth::Service& users_;
};

// `upload_limit`: the largest CSV import or document body (PAYROLLX_DOCUMENT_BODY_LIMIT_BYTES).
void register_routes(http::Router& router, Service& service, std::size_t upload_limit);

}  // namespace payrollx::employee
