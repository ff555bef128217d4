#pragma once
// The employee module's storage (schema employee, plus the core.currencies reference table):
// typed functions over employees (store.cpp), their components (component_store.cpp) and their
// documents (document_store.cpp), their SQL private to those files. Every statement filters on
// the organisation. Private to the employee module.
#include <boost/asio/awaitable.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modules/employee/employee.hpp"

namespace payrollx::employee::store {

// Unique indexes whose violation (a db::Error thrown by insert, insert_many and update) means
// "already an employee of the organisation".
inline constexpr std::string_view k_email_index = "employees_org_email_key";
inline constexpr std::string_view k_number_index = "employees_org_number_key";

// Whether the currency exists.
boost::asio::awaitable<bool> currency_known(db::Session& session, const std::string& code);
// Every currency code and its scale (the import converts amounts with them).
boost::asio::awaitable<std::map<std::string, int, std::less<>>> select_currencies(db::Pool& pool);

// Stores the employee `id` with its wallet. Throws db::Error: a unique violation on a taken email
// or employee number.
boost::asio::awaitable<Employee> insert(db::Tx& tx, const Uuid& id, const Uuid& organization_id,
                                        const Uuid& wallet_id, const NewEmployee& input);

// One employee of a CSV import, with the id and the wallet made for them.
struct ImportedEmployee {
  Uuid id;
  Uuid wallet_id;
  NewEmployee employee;
};
// Many employees in one statement; answers the stored rows. Throws db::Error as insert does.
boost::asio::awaitable<std::vector<Employee>> insert_many(
    db::Tx& tx, const Uuid& organization_id, const std::vector<ImportedEmployee>& employees);

// None when the employee is not the organisation's.
boost::asio::awaitable<std::optional<Employee>> select(db::Session& session,
                                                       const Uuid& organization_id, const Uuid& id);
boost::asio::awaitable<std::optional<Employee>> select(db::Pool& pool, const Uuid& organization_id,
                                                       const Uuid& id);
// The same, its row locked until COMMIT (NO KEY UPDATE: rows pointing at the employee keep
// their foreign-key checks unblocked).
boost::asio::awaitable<std::optional<Employee>> lock(db::Tx& tx, const Uuid& organization_id,
                                                     const Uuid& id);
// The employee record of a portal user; none when they have none.
boost::asio::awaitable<std::optional<Employee>> select_by_user(db::Pool& pool,
                                                               const Uuid& organization_id,
                                                               const Uuid& user_id);
boost::asio::awaitable<std::optional<Uuid>> id_of_user(db::Pool& pool, const Uuid& organization_id,
                                                       const Uuid& user_id);
// The employee's portal user; none when the employee is unknown or has none.
boost::asio::awaitable<std::optional<Uuid>> user_of(db::Session& session,
                                                    const Uuid& organization_id, const Uuid& id);
boost::asio::awaitable<bool> exists(db::Pool& pool, const Uuid& organization_id, const Uuid& id);
// Up to `limit` employees matching the filter, newest first, after the keyset (created_at, id)
// of the previous page's last row.
boost::asio::awaitable<std::vector<Employee>> select_page(
    db::Pool& pool, const Uuid& organization_id, const EmployeeFilter& filter,
    const std::optional<Timestamp>& after_created_at, const std::optional<Uuid>& after_id,
    int limit);

// Stores `wanted`'s names, email, number, department, position, hire date, salary, pay frequency
// and wallet; answers the stored row. Throws db::Error as insert does.
boost::asio::awaitable<Employee> update(db::Tx& tx, const Employee& wanted);
boost::asio::awaitable<Employee> terminate(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                           Date termination_date);
boost::asio::awaitable<Employee> link_user(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                           const Uuid& user_id);
// `reason` only with a rejection.
boost::asio::awaitable<Employee> set_kyc(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                         KycStatus status, const std::optional<std::string>& reason,
                                         const std::optional<Uuid>& reviewer);
boost::asio::awaitable<Employee> set_wallet_address(db::Tx& tx, const Uuid& organization_id,
                                                    const Uuid& id, const std::string& address);

// A payroll run's roster (every employee, or those of `ids`), by last name, first name and id.
boost::asio::awaitable<std::vector<Payee>> select_roster(
    db::Session& session, const Uuid& organization_id, const std::optional<std::vector<Uuid>>& ids);
// "First Last" of each of the employees.
boost::asio::awaitable<std::map<Uuid, std::string>> select_names(db::Session& session,
                                                                 const Uuid& organization_id,
                                                                 const std::vector<Uuid>& ids);
// (employee, portal user) of those of the employees that have one.
boost::asio::awaitable<std::vector<std::pair<Uuid, Uuid>>> select_portal_users(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& ids);

// The emails and employee numbers among `emails` and `numbers` that employees of the
// organisation already use.
struct Taken {
  std::set<std::string> emails;
  std::set<std::string> numbers;
};
boost::asio::awaitable<Taken> select_taken(db::Tx& tx, const Uuid& organization_id,
                                           const std::vector<std::string>& emails,
                                           const std::vector<std::string>& numbers);

// An employee's components, in the client's order.
boost::asio::awaitable<std::vector<Component>> select_components(db::Session& session,
                                                                 const Uuid& organization_id,
                                                                 const Uuid& employee_id);
// Replaces the employee's components with `components`, in that order.
boost::asio::awaitable<void> replace_components(db::Tx& tx, const Uuid& organization_id,
                                                const Uuid& employee_id,
                                                const std::vector<Component>& components);
// The components of a payroll run's roster (every employee, or those of `employee_ids`) by
// employee, each list in the client's order.
boost::asio::awaitable<std::map<Uuid, std::vector<Component>>> select_roster_components(
    db::Session& session, const Uuid& organization_id,
    const std::optional<std::vector<Uuid>>& employee_ids);

// Stores the document `id` with its bytes and their SHA-256 (lower-case hex).
boost::asio::awaitable<Document> insert_document(db::Tx& tx, const Uuid& id,
                                                 const Uuid& organization_id,
                                                 const Uuid& employee_id, const NewDocument& input,
                                                 const std::string& sha256,
                                                 const std::optional<Uuid>& uploaded_by);
// Up to `limit` of an employee's documents, newest first, after the keyset (created_at, id) of
// the previous page's last row.
boost::asio::awaitable<std::vector<Document>> select_documents(
    db::Pool& pool, const Uuid& organization_id, const Uuid& employee_id,
    const std::optional<Timestamp>& after_created_at, const std::optional<Uuid>& after_id,
    int limit);
// None when the document is not the employee's.
boost::asio::awaitable<std::optional<DocumentContent>> select_document_content(
    db::Pool& pool, const Uuid& organization_id, const Uuid& employee_id, const Uuid& id);

}  // namespace payrollx::employee::store
