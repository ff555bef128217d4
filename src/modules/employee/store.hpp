#pragma once
// The employee module's SQL (schema employee, plus the core.currencies reference table) and the
// decoding of its rows. Every statement filters on the organisation.
#include <string>
#include <string_view>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/employee/employee.hpp"

namespace payrollx::employee::store {

// Unique indexes whose violation means "already an employee of the organisation".
inline constexpr std::string_view k_email_index = "employees_org_email_key";
inline constexpr std::string_view k_number_index = "employees_org_number_key";

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

// A payroll run's roster. $1 organization_id, $2 employee ids or NULL (every employee).
constexpr db::Query k_select_roster{
    "employee.select_roster",
    "SELECT " PAYROLLX_EMPLOYEE_COLUMNS
    " FROM employee.employees "
    "WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[])) "
    "ORDER BY last_name, first_name, id"};

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

#define PAYROLLX_COMPONENT_COLUMNS \
  "kind, name, calc, amount, rate_basis_points, pre_tax, effective_from, effective_to"

// $1 organization_id, $2 employee_id; in the client's order.
constexpr db::Query k_select_components{
    "employee.select_components",
    "SELECT " PAYROLLX_COMPONENT_COLUMNS
    " FROM employee.components WHERE organization_id = $1 AND employee_id = $2 ORDER BY ordinal"};

// $1 organization_id, $2 employee_id.
constexpr db::Query k_delete_components{
    "employee.delete_components",
    "DELETE FROM employee.components WHERE organization_id = $1 AND employee_id = $2"};

// $1 organization_id, $2 employee_id, then one array per column: $3 kind, $4 name, $5 calc,
// $6 amount, $7 rate_basis_points (0 for none: these arrays carry no NULLs), $8 pre_tax,
// $9 effective_from, $10 effective_to ('' for none).
constexpr db::Query k_insert_components{
    "employee.insert_components",
    "INSERT INTO employee.components (organization_id, employee_id, ordinal, kind, name, calc,"
    "  amount, rate_basis_points, pre_tax, effective_from, effective_to) "
    "SELECT $1, $2, (c.ordinality - 1)::integer, c.kind, c.name, c.calc, NULLIF(c.amount, 0),"
    "  NULLIF(c.rate, 0)::integer, c.pre_tax, c.effective_from::date,"
    "  NULLIF(c.effective_to, '')::date "
    "FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::boolean[],"
    "  $9::text[], $10::text[]) WITH ORDINALITY AS c(kind, name, calc, amount, rate, pre_tax,"
    "  effective_from, effective_to, ordinality)"};

// The components of a payroll run's roster, grouped by employee. $1 organization_id,
// $2 employee ids or NULL (every employee).
constexpr db::Query k_select_roster_components{
    "employee.select_roster_components",
    "SELECT employee_id, " PAYROLLX_COMPONENT_COLUMNS
    " FROM employee.components "
    "WHERE organization_id = $1 AND ($2::uuid[] IS NULL OR employee_id = ANY($2::uuid[])) "
    "ORDER BY employee_id, ordinal"};

#undef PAYROLLX_COMPONENT_COLUMNS

#define PAYROLLX_DOCUMENT_COLUMNS \
  "id, employee_id, document_type, file_name, content_type, size, sha256, created_at"

// $1 id, $2 organization_id, $3 employee_id, $4 document_type, $5 file_name, $6 content_type,
// $7 size, $8 sha256, $9 content as bytea hex text ("\x..."), $10 uploaded_by.
constexpr db::Query k_insert_document{
    "employee.insert_document",
    "INSERT INTO employee.documents (id, organization_id, employee_id, document_type, file_name,"
    "  content_type, size, sha256, content, uploaded_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::bigint, $8, $9::bytea, $10) "
    "RETURNING " PAYROLLX_DOCUMENT_COLUMNS};

// $1 organization_id, $2 employee_id, $3/$4 keyset of the previous page's last row or NULL,
// $5 limit.
constexpr db::Query k_select_documents{
    "employee.select_documents",
    "SELECT " PAYROLLX_DOCUMENT_COLUMNS
    " FROM employee.documents "
    "WHERE organization_id = $1 AND employee_id = $2"
    "  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $5"};

// $1 organization_id, $2 employee_id, $3 id → content_type, file_name, content (bytea hex text).
constexpr db::Query k_select_document_content{
    "employee.select_document_content",
    "SELECT content_type, file_name, content FROM employee.documents "
    "WHERE organization_id = $1 AND employee_id = $2 AND id = $3"};

#undef PAYROLLX_DOCUMENT_COLUMNS

Employee employee_from(const db::Row& row);
Component component_from(const db::Row& row);
Document document_from(const db::Row& row);

}  // namespace payrollx::employee::store
