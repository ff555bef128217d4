#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/uuid.hpp"

namespace payrollx {

enum class Role { super_admin, org_admin, hr_manager, finance_manager, employee };

std::string_view to_string(Role role);                  // "ORG_ADMIN"
std::optional<Role> parse_role(std::string_view text);  // exact API spelling

// Who is calling: from a verified access token.
struct Principal {
  Uuid user_id;
  std::optional<Uuid> organization_id;  // none for SUPER_ADMIN
  Role role = Role::employee;
  std::string token_id;            // jti
  std::optional<Uuid> session_id;  // sid: the refresh-token family this access token came from

  // The caller's organisation; a 403 for a user without one (SUPER_ADMIN on tenant routes).
  const Uuid& org() const;
};

}  // namespace payrollx
