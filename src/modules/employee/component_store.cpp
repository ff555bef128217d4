#include <map>

#include "core/db/session.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee::store {
namespace {

using boost::asio::awaitable;

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

Component component_from(const db::Row& row) {
  return {.kind = row.get<std::string>("kind"),
          .name = row.get<std::string>("name"),
          .calc = row.get<std::string>("calc"),
          .amount = row.get<std::optional<std::int64_t>>("amount"),
          .rate_basis_points = row.get<std::optional<std::int64_t>>("rate_basis_points"),
          .pre_tax = row.get<bool>("pre_tax"),
          .effective_from = row.get<Date>("effective_from"),
          .effective_to = row.get<std::optional<Date>>("effective_to")};
}

}  // namespace

awaitable<std::vector<Component>> select_components(db::Session& session,
                                                    const Uuid& organization_id,
                                                    const Uuid& employee_id) {
  auto result = co_await session.query(k_select_components, organization_id, employee_id);
  std::vector<Component> components;
  components.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) components.push_back(component_from(row));
  co_return components;
}

awaitable<void> replace_components(db::Tx& tx, const Uuid& organization_id, const Uuid& employee_id,
                                   const std::vector<Component>& components) {
  co_await tx.query(k_delete_components, organization_id, employee_id);
  if (components.empty()) co_return;
  std::vector<std::string> kinds, names, calcs, froms, tos;
  std::vector<std::int64_t> amounts, rates;
  std::vector<bool> pre_tax;
  for (const auto& component : components) {
    kinds.push_back(component.kind);
    names.push_back(component.name);
    calcs.push_back(component.calc);
    amounts.push_back(component.amount.value_or(0));
    rates.push_back(component.rate_basis_points.value_or(0));
    pre_tax.push_back(component.pre_tax);
    froms.push_back(to_iso_date(component.effective_from));
    tos.push_back(component.effective_to ? to_iso_date(*component.effective_to) : "");
  }
  co_await tx.query(k_insert_components, organization_id, employee_id, kinds, names, calcs, amounts,
                    rates, pre_tax, froms, tos);
}

awaitable<std::map<Uuid, std::vector<Component>>> select_roster_components(
    db::Session& session, const Uuid& organization_id,
    const std::optional<std::vector<Uuid>>& employee_ids) {
  auto result = co_await session.query(k_select_roster_components, organization_id, employee_ids);
  std::map<Uuid, std::vector<Component>> by_employee;
  for (auto row : result) by_employee[row.get<Uuid>("employee_id")].push_back(component_from(row));
  co_return by_employee;
}

}  // namespace payrollx::employee::store
