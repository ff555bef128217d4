#include "modules/employee/store.hpp"

#include <algorithm>
#include <tuple>

#include "core/db/pool.hpp"

namespace payrollx::employee::store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_EMPLOYEE_COLUMNS                                                               \
  "id, organization_id, user_id, wallet_id, first_name, last_name, email, employee_number, "    \
  "department, position, hire_date, termination_date, status, salary_amount, salary_currency, " \
  "salary_period, pay_frequency, kyc_status, kyc_rejection_reason, kyc_reviewed_at, "           \
  "wallet_address, created_at, updated_at"

// $1 id, $2 organization_id, $3 wallet_id, $4 first_name, $5 last_name, $6 email,
// $7 employee_number, $8 department, $9 position, $10 hire_date, $11 salary_amount,
// $12 salary_currency, $13 salary_period, $14 pay_frequency.
constexpr db::Query k_insert{
    "employee.insert",
    "INSERT INTO employee.employees (id, organization_id, wallet_id, first_name, last_name, email,"
    "  employee_number, department, position, hire_date, salary_amount, salary_currency,"
    "  salary_period, pay_frequency) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11::bigint, $12, $13, $14) "
    "RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// Many employees in one statement (the CSV import). $1 organization_id, then one array per
// column: $2 id, $3 wallet_id, $4 first_name, $5 last_name, $6 email, $7 employee_number,
// $8 department, $9 position ('' for none: text arrays carry no NULLs here), $10 hire_date
// (YYYY-MM-DD), $11 salary_amount, $12 salary_currency, $13 salary_period, $14 pay_frequency.
constexpr db::Query k_insert_many{
    "employee.insert_many",
    "INSERT INTO employee.employees (id, organization_id, wallet_id, first_name, last_name, email,"
    "  employee_number, department, position, hire_date, salary_amount, salary_currency,"
    "  salary_period, pay_frequency) "
    "SELECT r.id, $1, r.wallet_id, r.first_name, r.last_name, r.email, NULLIF(r.number, ''),"
    "  NULLIF(r.department, ''), NULLIF(r.position, ''), r.hire_date::date, r.amount,"
    "  r.currency, r.period, r.frequency "
    "FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],"
    "  $8::text[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::text[],"
    "  $14::text[]) AS r(id, wallet_id, first_name, last_name, email, number, department,"
    "  position, hire_date, amount, currency, period, frequency) "
    "RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_select{"employee.select",
                             "SELECT " PAYROLLX_EMPLOYEE_COLUMNS
                             " FROM employee.employees WHERE organization_id = $1 AND id = $2"};

// $1 organization_id, $2 id. NO KEY UPDATE: the id never changes, and a plain FOR UPDATE would
// block the foreign-key checks of rows pointing at the employee (documents, components).
constexpr db::Query k_lock{"employee.lock",
                           "SELECT " PAYROLLX_EMPLOYEE_COLUMNS
                           " FROM employee.employees WHERE organization_id = $1 AND id = $2 "
                           "FOR NO KEY UPDATE"};

// $1 organization_id, $2 user_id.
constexpr db::Query k_select_by_user{
    "employee.select_by_user",
    "SELECT " PAYROLLX_EMPLOYEE_COLUMNS
    " FROM employee.employees WHERE organization_id = $1 AND user_id = $2"};

// $1 organization_id, $2 user_id → id.
constexpr db::Query k_id_of_user{
    "employee.id_of_user",
    "SELECT id FROM employee.employees WHERE organization_id = $1 AND user_id = $2"};

// $1 organization_id, $2 id → user_id (NULL without a portal user); no row when unknown.
constexpr db::Query k_user_of{
    "employee.user_of",
    "SELECT user_id FROM employee.employees WHERE organization_id = $1 AND id = $2"};

// One page of the list, newest first. $1 organization_id, $2 status, $3 department, $4 kyc_status,
// $5 q (NULL filters match everything), $6/$7 keyset (created_at, id) of the previous page's last
// row or NULL, $8 limit. q is matched with strpos, not LIKE, so '%' and '_' are plain text.
constexpr db::Query k_select_page{
    "employee.select_page",
    "SELECT " PAYROLLX_EMPLOYEE_COLUMNS
    " FROM employee.employees "
    "WHERE organization_id = $1"
    "  AND ($2::text IS NULL OR status = $2)"
    "  AND ($3::text IS NULL OR lower(department) = lower($3))"
    "  AND ($4::text IS NULL OR kyc_status = $4)"
    "  AND ($5::text IS NULL OR strpos(lower(first_name || ' ' || last_name), lower($5)) > 0"
    "       OR strpos(email, lower($5)) > 0)"
    "  AND ($6::timestamptz IS NULL OR (created_at, id) < ($6::timestamptz, $7::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $8"};

// $1 organization_id, $2 id, $3 first_name, $4 last_name, $5 email, $6 employee_number,
// $7 department, $8 position, $9 hire_date, $10 salary_amount, $11 salary_currency,
// $12 salary_period, $13 pay_frequency, $14 wallet_id.
constexpr db::Query k_update{
    "employee.update",
    "UPDATE employee.employees SET first_name = $3, last_name = $4, email = $5,"
    "  employee_number = $6, department = $7, position = $8, hire_date = $9::date,"
    "  salary_amount = $10::bigint, salary_currency = $11, salary_period = $12,"
    "  pay_frequency = $13, wallet_id = $14, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// $1 organization_id, $2 id, $3 termination_date.
constexpr db::Query k_terminate{
    "employee.terminate",
    "UPDATE employee.employees SET status = 'TERMINATED', termination_date = $3::date,"
    "  updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// $1 organization_id, $2 id, $3 user_id.
constexpr db::Query k_link_user{
    "employee.link_user",
    "UPDATE employee.employees SET user_id = $3, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// $1 organization_id, $2 id, $3 kyc_status, $4 rejection reason (NULL unless REJECTED),
// $5 reviewer.
constexpr db::Query k_set_kyc{
    "employee.set_kyc",
    "UPDATE employee.employees SET kyc_status = $3, kyc_rejection_reason = $4,"
    "  kyc_reviewed_at = now(), kyc_reviewed_by = $5, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// $1 organization_id, $2 id, $3 wallet_address.
constexpr db::Query k_set_wallet_address{
    "employee.set_wallet_address",
    "UPDATE employee.employees SET wallet_address = $3, updated_at = now() "
    "WHERE organization_id = $1 AND id = $2 RETURNING " PAYROLLX_EMPLOYEE_COLUMNS};

// A payroll run's roster, unordered (select_roster sorts it). $1 organization_id, $2 employee ids
// or NULL (every employee).
constexpr db::Query k_select_roster{
    "employee.select_roster",
    "SELECT id, wallet_id, hire_date, termination_date, salary_amount, salary_currency,"
    "  salary_period, pay_frequency, kyc_status, last_name, first_name"
    " FROM employee.employees "
    "WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))"};

// $1 organization_id, $2 uuid[] employee ids → id, name ("First Last").
constexpr db::Query k_select_names{
    "employee.select_names",
    "SELECT id, first_name || ' ' || last_name AS name FROM employee.employees "
    "WHERE organization_id = $1 AND id = ANY ($2::uuid[])"};

// The portal users of some employees. $1 organization_id, $2 employee ids → employee_id, user_id.
constexpr db::Query k_select_portal_users{
    "employee.select_portal_users",
    "SELECT id AS employee_id, user_id FROM employee.employees "
    "WHERE organization_id = $1 AND id = ANY($2::uuid[]) AND user_id IS NOT NULL"};

#undef PAYROLLX_EMPLOYEE_COLUMNS

// The employees of the organisation that already use one of the emails or employee numbers of an
// import. $1 organization_id, $2 emails, $3 employee numbers.
constexpr db::Query k_select_taken{"employee.select_taken",
                                   "SELECT email, employee_number FROM employee.employees "
                                   "WHERE organization_id = $1 AND (email = ANY($2::text[]) OR "
                                   "employee_number = ANY($3::text[]))"};

// $1 currency code → scale; no row when unknown.
constexpr db::Query k_select_currency{"employee.select_currency",
                                      "SELECT scale FROM core.currencies WHERE code = $1"};

// Every currency and its scale (the import converts amounts with them).
constexpr db::Query k_select_currencies{"employee.select_currencies",
                                        "SELECT code, scale FROM core.currencies"};

// The columns an employee and a payroll run's payee share.
Salary salary_from(const db::Row& row) {
  return {.amount = row.get<std::int64_t>("salary_amount"),
          .currency = row.get<std::string>("salary_currency"),
          .period = row.get<std::string>("salary_period")};
}

KycStatus kyc_status_from(const db::Row& row) {
  return k_kyc_statuses.stored(row.get<std::string>("kyc_status"), "employee.employees.kyc_status");
}

Employee employee_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .user_id = row.get<std::optional<Uuid>>("user_id"),
          .wallet_id = row.get<Uuid>("wallet_id"),
          .first_name = row.get<std::string>("first_name"),
          .last_name = row.get<std::string>("last_name"),
          .email = row.get<std::string>("email"),
          .employee_number = row.get<std::optional<std::string>>("employee_number"),
          .department = row.get<std::optional<std::string>>("department"),
          .position = row.get<std::optional<std::string>>("position"),
          .hire_date = row.get<Date>("hire_date"),
          .termination_date = row.get<std::optional<Date>>("termination_date"),
          .status = k_statuses.stored(row.get<std::string>("status"), "employee.employees.status"),
          .salary = salary_from(row),
          .pay_frequency = row.get<std::string>("pay_frequency"),
          .kyc_status = kyc_status_from(row),
          .kyc_rejection_reason = row.get<std::optional<std::string>>("kyc_rejection_reason"),
          .kyc_reviewed_at = row.get<std::optional<Timestamp>>("kyc_reviewed_at"),
          .wallet_address = row.get<std::optional<std::string>>("wallet_address"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at")};
}

std::optional<Employee> first_employee(const db::Result& result) {
  auto row = result.first();
  if (!row) return std::nullopt;
  return employee_from(*row);
}

std::vector<Employee> employees_of(const db::Result& result) {
  std::vector<Employee> employees;
  employees.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) employees.push_back(employee_from(row));
  return employees;
}

// Reads run on a session (a transaction, or autocommit) or on the pool: both offer
// query(name, args...).
template <class Db>
awaitable<std::optional<Employee>> select_on(Db& db, const Uuid& organization_id, const Uuid& id) {
  auto result = co_await db.query(k_select, organization_id, id);
  co_return first_employee(result);
}

}  // namespace

awaitable<bool> currency_known(db::Session& session, const std::string& code) {
  auto known = co_await session.query(k_select_currency, code);
  co_return !known.empty();
}

awaitable<std::map<std::string, int, std::less<>>> select_currencies(db::Pool& pool) {
  auto known = co_await pool.query(k_select_currencies);
  std::map<std::string, int, std::less<>> currencies;
  for (auto row : known) currencies.emplace(row.get<std::string>("code"), row.get<int>("scale"));
  co_return currencies;
}

awaitable<Employee> insert(db::Tx& tx, const Uuid& id, const Uuid& organization_id,
                           const Uuid& wallet_id, const NewEmployee& input) {
  auto inserted = co_await tx.query(
      k_insert, id, organization_id, wallet_id, input.first_name, input.last_name, input.email,
      input.employee_number, input.department, input.position, input.hire_date, input.salary.amount,
      input.salary.currency, input.salary.period, input.pay_frequency);
  co_return employee_from(inserted.one());
}

awaitable<std::vector<Employee>> insert_many(db::Tx& tx, const Uuid& organization_id,
                                             const std::vector<ImportedEmployee>& employees) {
  std::vector<Uuid> ids, wallet_ids;
  std::vector<std::string> firsts, lasts, emails, numbers, departments, positions, hires,
      currencies, periods, frequencies;
  std::vector<std::int64_t> amounts;
  for (const auto& imported : employees) {
    const auto& e = imported.employee;
    ids.push_back(imported.id);
    wallet_ids.push_back(imported.wallet_id);
    firsts.push_back(e.first_name);
    lasts.push_back(e.last_name);
    emails.push_back(e.email);
    numbers.push_back(e.employee_number.value_or(""));
    departments.push_back(e.department.value_or(""));
    positions.push_back(e.position.value_or(""));
    hires.push_back(to_iso_date(e.hire_date));
    amounts.push_back(e.salary.amount);
    currencies.push_back(e.salary.currency);
    periods.push_back(e.salary.period);
    frequencies.push_back(e.pay_frequency);
  }
  auto inserted = co_await tx.query(k_insert_many, organization_id, ids, wallet_ids, firsts, lasts,
                                    emails, numbers, departments, positions, hires, amounts,
                                    currencies, periods, frequencies);
  co_return employees_of(inserted);
}

awaitable<std::optional<Employee>> select(db::Session& session, const Uuid& organization_id,
                                          const Uuid& id) {
  return select_on(session, organization_id, id);
}

awaitable<std::optional<Employee>> select(db::Pool& pool, const Uuid& organization_id,
                                          const Uuid& id) {
  return select_on(pool, organization_id, id);
}

awaitable<std::optional<Employee>> lock(db::Tx& tx, const Uuid& organization_id, const Uuid& id) {
  auto result = co_await tx.query(k_lock, organization_id, id);
  co_return first_employee(result);
}

awaitable<std::optional<Employee>> select_by_user(db::Pool& pool, const Uuid& organization_id,
                                                  const Uuid& user_id) {
  auto result = co_await pool.query(k_select_by_user, organization_id, user_id);
  co_return first_employee(result);
}

awaitable<std::optional<Uuid>> id_of_user(db::Pool& pool, const Uuid& organization_id,
                                          const Uuid& user_id) {
  auto result = co_await pool.query(k_id_of_user, organization_id, user_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return row->get<Uuid>("id");
}

awaitable<std::optional<Uuid>> user_of(db::Session& session, const Uuid& organization_id,
                                       const Uuid& id) {
  auto result = co_await session.query(k_user_of, organization_id, id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return row->get<std::optional<Uuid>>("user_id");
}

awaitable<bool> exists(db::Pool& pool, const Uuid& organization_id, const Uuid& id) {
  auto result = co_await pool.query(k_user_of, organization_id, id);
  co_return !result.empty();
}

awaitable<std::vector<Employee>> select_page(db::Pool& pool, const Uuid& organization_id,
                                             const EmployeeFilter& filter,
                                             const std::optional<Timestamp>& after_created_at,
                                             const std::optional<Uuid>& after_id, int limit) {
  auto result =
      co_await pool.query(k_select_page, organization_id, filter.status, filter.department,
                          filter.kyc_status, filter.q, after_created_at, after_id, limit);
  co_return employees_of(result);
}

awaitable<Employee> update(db::Tx& tx, const Employee& wanted) {
  auto updated = co_await tx.query(k_update, wanted.organization_id, wanted.id, wanted.first_name,
                                   wanted.last_name, wanted.email, wanted.employee_number,
                                   wanted.department, wanted.position, wanted.hire_date,
                                   wanted.salary.amount, wanted.salary.currency,
                                   wanted.salary.period, wanted.pay_frequency, wanted.wallet_id);
  co_return employee_from(updated.one());
}

awaitable<Employee> terminate(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                              Date termination_date) {
  auto updated = co_await tx.query(k_terminate, organization_id, id, termination_date);
  co_return employee_from(updated.one());
}

awaitable<Employee> link_user(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                              const Uuid& user_id) {
  auto linked = co_await tx.query(k_link_user, organization_id, id, user_id);
  co_return employee_from(linked.one());
}

awaitable<Employee> set_kyc(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                            KycStatus status, const std::optional<std::string>& reason,
                            const std::optional<Uuid>& reviewer) {
  auto updated = co_await tx.query(k_set_kyc, organization_id, id, status, reason, reviewer);
  co_return employee_from(updated.one());
}

awaitable<Employee> set_wallet_address(db::Tx& tx, const Uuid& organization_id, const Uuid& id,
                                       const std::string& address) {
  auto updated = co_await tx.query(k_set_wallet_address, organization_id, id, address);
  co_return employee_from(updated.one());
}

// The roster in the order a run lists its items: by last name, first name, then id, the names
// compared as bytes (the "C" collation), so the order is the same on every host whatever the
// database's locale, and the one C.UTF-8 (the clusters scripts/run creates) gives. Sorted here
// rather than by the database: 100,000 rows took PostgreSQL 0.2-0.6 s of a calculation's time, and
// the database is what every instance shares.
awaitable<std::vector<Payee>> select_roster(db::Session& session, const Uuid& organization_id,
                                            const std::optional<std::vector<Uuid>>& ids) {
  auto result = co_await session.query(k_select_roster, organization_id, ids);
  struct Key {
    std::string last_name;
    std::string first_name;
    Uuid id;
    int row;
  };
  std::vector<Key> order;
  order.reserve(static_cast<std::size_t>(result.size()));
  for (int i = 0; i < result.size(); ++i) {
    const auto row = result[i];
    order.push_back({.last_name = row.get<std::string>("last_name"),
                     .first_name = row.get<std::string>("first_name"),
                     .id = row.get<Uuid>("id"),
                     .row = i});
  }
  std::ranges::sort(order, {},
                    [](const Key& key) { return std::tie(key.last_name, key.first_name, key.id); });
  std::vector<Payee> payees;
  payees.reserve(order.size());
  for (const auto& key : order) {
    const auto row = result[key.row];
    payees.push_back({.id = key.id,
                      .wallet_id = row.get<Uuid>("wallet_id"),
                      .hire_date = row.get<Date>("hire_date"),
                      .termination_date = row.get<std::optional<Date>>("termination_date"),
                      .salary = salary_from(row),
                      .pay_frequency = row.get<std::string>("pay_frequency"),
                      .kyc_status = kyc_status_from(row)});
  }
  co_return payees;
}

awaitable<std::map<Uuid, std::string>> select_names(db::Session& session,
                                                    const Uuid& organization_id,
                                                    const std::vector<Uuid>& ids) {
  auto result = co_await session.query(k_select_names, organization_id, ids);
  std::map<Uuid, std::string> names;
  for (auto row : result) names.emplace(row.get<Uuid>("id"), row.get<std::string>("name"));
  co_return names;
}

awaitable<std::vector<std::pair<Uuid, Uuid>>> select_portal_users(db::Session& session,
                                                                  const Uuid& organization_id,
                                                                  const std::vector<Uuid>& ids) {
  auto result = co_await session.query(k_select_portal_users, organization_id, ids);
  std::vector<std::pair<Uuid, Uuid>> users;
  users.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    users.emplace_back(row.get<Uuid>("employee_id"), row.get<Uuid>("user_id"));
  co_return users;
}

awaitable<Taken> select_taken(db::Tx& tx, const Uuid& organization_id,
                              const std::vector<std::string>& emails,
                              const std::vector<std::string>& numbers) {
  auto result = co_await tx.query(k_select_taken, organization_id, emails, numbers);
  Taken taken;
  for (auto found : result) {
    taken.emails.insert(found.get<std::string>("email"));
    if (auto number = found.get<std::optional<std::string>>("employee_number"))
      taken.numbers.insert(*number);
  }
  co_return taken;
}

}  // namespace payrollx::employee::store
