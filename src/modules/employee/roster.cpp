// The payroll module's reads of employees: whole rosters with their components and the portal
// users of many employees, each in a fixed number of statements (a 10,000-employee run must not
// make 10,000 round trips).
#include <map>

#include "core/db/session.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee {

boost::asio::awaitable<std::vector<RosterEntry>> Service::roster(
    db::Session& session, const Uuid& organization_id,
    const std::optional<std::vector<Uuid>>& employee_ids) {
  auto employees = co_await session.query(store::k_select_roster, organization_id, employee_ids);
  auto components =
      co_await session.query(store::k_select_roster_components, organization_id, employee_ids);
  std::map<Uuid, std::vector<Component>> by_employee;
  for (auto row : components)
    by_employee[row.get<Uuid>("employee_id")].push_back(store::component_from(row));
  std::vector<RosterEntry> roster;
  roster.reserve(static_cast<std::size_t>(employees.size()));
  for (auto row : employees) {
    RosterEntry entry{.employee = store::employee_from(row), .components = {}};
    if (auto found = by_employee.find(entry.employee.id); found != by_employee.end())
      entry.components = std::move(found->second);
    roster.push_back(std::move(entry));
  }
  co_return roster;
}

boost::asio::awaitable<std::vector<std::pair<Uuid, Uuid>>> Service::portal_users(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& employee_ids) {
  std::vector<std::pair<Uuid, Uuid>> users;
  if (employee_ids.empty()) co_return users;
  auto result = co_await session.query(store::k_select_portal_users, organization_id, employee_ids);
  users.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    users.emplace_back(row.get<Uuid>("employee_id"), row.get<Uuid>("user_id"));
  co_return users;
}

boost::asio::awaitable<std::map<Uuid, std::string>> Service::names(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& employee_ids) {
  std::map<Uuid, std::string> names;
  if (employee_ids.empty()) co_return names;
  auto result = co_await session.query(store::k_select_names, organization_id, employee_ids);
  for (auto row : result) names.emplace(row.get<Uuid>("id"), row.get<std::string>("name"));
  co_return names;
}

}  // namespace payrollx::employee
