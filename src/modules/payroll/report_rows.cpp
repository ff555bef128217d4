// The rows of the payroll reports (PAYROLL_REGISTER, TAX_SUMMARY) for the report maker: keyset
// pages read in its snapshot, with the employees' names from the employee module.
#include "core/db/pool.hpp"
#include "modules/employee/employee.hpp"
#include "modules/payroll/item_rows.hpp"
#include "modules/payroll/payroll.hpp"

namespace payrollx::payroll {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_REGISTER_SOURCE                                           \
  " FROM payroll.payroll_runs r JOIN payroll.payroll_items i"              \
  "  ON i.run_id = r.id AND i.organization_id = r.organization_id "        \
  "WHERE r.organization_id = $1 AND r.status IN ('COMPLETED', 'REVERSED')" \
  "  AND r.pay_date BETWEEN $2::date AND $3::date"

// $1 organization_id, $2 from, $3 to.
constexpr db::Query k_count_register{"payroll.count_register",
                                     "SELECT count(*) AS n" PAYROLLX_REGISTER_SOURCE};

// $1 organization_id, $2 from, $3 to, $4/$5/$6 the previous page's last (pay_date, run, position)
// or NULL, $7 limit.
constexpr db::Query k_register_page{
    "payroll.register_page",
    "SELECT r.pay_date, r.id AS run_id, i.position, r.type, r.status, i.employee_id, r.currency,"
    "  i.base_pay, i.earnings, i.gross, i.pre_tax_deductions, i.taxable, i.tax,"
    "  i.post_tax_deductions, i.net, i.transaction_id" PAYROLLX_REGISTER_SOURCE
    "  AND ($4::date IS NULL OR (r.pay_date, r.id, i.position) > ($4::date, $5::uuid,"
    "    $6::integer)) "
    "ORDER BY r.pay_date, r.id, i.position LIMIT $7"};

#undef PAYROLLX_REGISTER_SOURCE

#define PAYROLLX_TAX_SUMMARY_SOURCE                                                    \
  " FROM payroll.payroll_items i JOIN payroll.payroll_runs r"                          \
  "  ON r.id = i.run_id AND r.organization_id = i.organization_id "                    \
  "WHERE i.organization_id = $1 AND r.status = 'COMPLETED' AND i.status <> 'REVERSED'" \
  "  AND r.pay_date BETWEEN $2::date AND $3::date"

// $1 organization_id, $2 from, $3 to.
constexpr db::Query k_count_tax_summary{"payroll.count_tax_summary",
                                        "SELECT count(*) AS n FROM (SELECT DISTINCT i.employee_id, "
                                        "r.currency" PAYROLLX_TAX_SUMMARY_SOURCE ") pairs"};

// $1 organization_id, $2 from, $3 to, $4/$5 the previous page's last (employee, currency) or
// NULL, $6 limit. A sum beyond bigint fails the statement (22003) rather than wrap.
constexpr db::Query k_tax_summary_page{
    "payroll.tax_summary_page",
    "SELECT i.employee_id, r.currency, count(DISTINCT r.id) AS runs, sum(i.gross)::bigint AS gross,"
    "  sum(i.taxable)::bigint AS taxable, sum(i.tax)::bigint AS tax, sum(i.net)::bigint AS "
    "net" PAYROLLX_TAX_SUMMARY_SOURCE
    "  AND ($4::uuid IS NULL OR (i.employee_id, r.currency) > ($4::uuid, $5::text)) "
    "GROUP BY i.employee_id, r.currency ORDER BY i.employee_id, r.currency LIMIT $6"};

#undef PAYROLLX_TAX_SUMMARY_SOURCE

}  // namespace

awaitable<std::int64_t> Service::count_register(db::Session& session, const Uuid& organization_id,
                                                Date from, Date to) {
  auto result = co_await session.query(k_count_register, organization_id, from, to);
  co_return result.one().get<std::int64_t>("n");
}

awaitable<std::vector<RegisterRow>> Service::register_page(db::Session& session,
                                                           const Uuid& organization_id, Date from,
                                                           Date to,
                                                           const std::optional<RegisterKey>& after,
                                                           int limit) {
  std::optional<Date> after_date;
  std::optional<Uuid> after_run;
  std::optional<std::int64_t> after_position;
  if (after) {
    after_date = after->pay_date;
    after_run = after->run_id;
    after_position = after->position;
  }
  auto result = co_await session.query(k_register_page, organization_id, from, to, after_date,
                                       after_run, after_position, limit);
  std::vector<RegisterRow> rows;
  std::vector<Uuid> employee_ids;
  rows.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) {
    rows.push_back({.key = {.pay_date = row.get<Date>("pay_date"),
                            .run_id = row.get<Uuid>("run_id"),
                            .position = row.get<std::int64_t>("position")},
                    .run_type = row.get<std::string>("type"),
                    .run_status = k_run_statuses.stored(row.get<std::string>("status"),
                                                        "payroll.payroll_runs.status"),
                    .employee_id = row.get<Uuid>("employee_id"),
                    .employee_name = {},
                    .currency = row.get<std::string>("currency"),
                    .amounts = store::amounts_from(row),
                    .transaction_id = row.get<std::optional<Uuid>>("transaction_id")});
    employee_ids.push_back(rows.back().employee_id);
  }
  auto names = co_await parts_.employees.names(session, organization_id, employee_ids);
  for (auto& row : rows) row.employee_name = names[row.employee_id];
  co_return rows;
}

awaitable<std::int64_t> Service::count_tax_summary(db::Session& session,
                                                   const Uuid& organization_id, Date from,
                                                   Date to) {
  auto result = co_await session.query(k_count_tax_summary, organization_id, from, to);
  co_return result.one().get<std::int64_t>("n");
}

awaitable<std::vector<TaxSummaryRow>> Service::tax_summary_page(
    db::Session& session, const Uuid& organization_id, Date from, Date to,
    const std::optional<TaxSummaryKey>& after, int limit) {
  std::optional<Uuid> after_employee;
  std::optional<std::string> after_currency;
  if (after) {
    after_employee = after->employee_id;
    after_currency = after->currency;
  }
  auto result = co_await session.query(k_tax_summary_page, organization_id, from, to,
                                       after_employee, after_currency, limit);
  std::vector<TaxSummaryRow> rows;
  std::vector<Uuid> employee_ids;
  rows.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) {
    rows.push_back({.key = {.employee_id = row.get<Uuid>("employee_id"),
                            .currency = row.get<std::string>("currency")},
                    .employee_name = {},
                    .runs = row.get<std::int64_t>("runs"),
                    .gross = row.get<std::int64_t>("gross"),
                    .taxable = row.get<std::int64_t>("taxable"),
                    .tax = row.get<std::int64_t>("tax"),
                    .net = row.get<std::int64_t>("net")});
    employee_ids.push_back(rows.back().key.employee_id);
  }
  auto names = co_await parts_.employees.names(session, organization_id, employee_ids);
  for (auto& row : rows) row.employee_name = names[row.key.employee_id];
  co_return rows;
}

}  // namespace payrollx::payroll
