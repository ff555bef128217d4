#include "core/auth/principal.hpp"

#include <array>
#include <utility>

#include "core/error.hpp"

namespace payrollx {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 5> k_role_names{{
    {Role::super_admin, "SUPER_ADMIN"},
    {Role::org_admin, "ORG_ADMIN"},
    {Role::hr_manager, "HR_MANAGER"},
    {Role::finance_manager, "FINANCE_MANAGER"},
    {Role::employee, "EMPLOYEE"},
}};
}  // namespace

std::string_view to_string(Role role) {
  for (const auto& [value, name] : k_role_names)
    if (value == role) return name;
  return "EMPLOYEE";
}

std::optional<Role> parse_role(std::string_view text) {
  for (const auto& [value, name] : k_role_names)
    if (name == text) return value;
  return std::nullopt;
}

const Uuid& Principal::org() const {
  if (!organization_id) throw forbidden("This action needs a user of an organisation.");
  return *organization_id;
}

}  // namespace payrollx
