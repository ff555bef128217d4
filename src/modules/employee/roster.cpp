// The payroll module's reads of employees: whole rosters with their components and the portal
// users of many employees, each in a fixed number of statements (a 10,000-employee run must not
// make 10,000 round trips).
#include <map>

#include "modules/employee/employee.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee {

boost::asio::awaitable<std::vector<RosterEntry>> Service::roster(
    db::Session& session, const Uuid& organization_id,
    const std::optional<std::vector<Uuid>>& employee_ids) {
  auto payees = co_await store::select_roster(session, organization_id, employee_ids);
  auto by_employee =
      co_await store::select_roster_components(session, organization_id, employee_ids);
  std::vector<RosterEntry> roster;
  roster.reserve(payees.size());
  for (auto& payee : payees) {
    RosterEntry entry{.payee = std::move(payee), .components = {}};
    if (auto found = by_employee.find(entry.payee.id); found != by_employee.end())
      entry.components = std::move(found->second);
    roster.push_back(std::move(entry));
  }
  co_return roster;
}

boost::asio::awaitable<std::vector<std::pair<Uuid, Uuid>>> Service::portal_users(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& employee_ids) {
  if (employee_ids.empty()) co_return std::vector<std::pair<Uuid, Uuid>>{};
  co_return co_await store::select_portal_users(session, organization_id, employee_ids);
}

boost::asio::awaitable<std::map<Uuid, std::string>> Service::names(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& employee_ids) {
  if (employee_ids.empty()) co_return std::map<Uuid, std::string>{};
  co_return co_await store::select_names(session, organization_id, employee_ids);
}

}  // namespace payrollx::employee
