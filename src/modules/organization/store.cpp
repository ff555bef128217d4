#include "modules/organization/store.hpp"

#include <stdexcept>

namespace payrollx::organization {

std::string_view to_string(Status status) {
  return status == Status::suspended ? "SUSPENDED" : "ACTIVE";
}

Status status_of(std::string_view text) {
  if (text == "ACTIVE") return Status::active;
  if (text == "SUSPENDED") return Status::suspended;
  throw std::logic_error("organization: unknown status in the database");
}

namespace store {

Organization organization_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .name = row.get<std::string>("name"),
          .country = row.get<std::optional<std::string>>("country"),
          .tax_id = row.get<std::optional<std::string>>("tax_id"),
          .authorized_signers = row.get<std::vector<std::string>>("authorized_signers"),
          .status = status_of(row.get<std::string>("status")),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at")};
}

Settings settings_from(const db::Row& row) {
  return {.base_currency = row.get<std::string>("base_currency"),
          .require_distinct_approver = row.get<bool>("require_distinct_approver"),
          .kyc_required_for_payroll = row.get<bool>("kyc_required_for_payroll"),
          .max_net_per_employee = row.get<std::optional<std::int64_t>>("max_net_per_employee"),
          .timezone = row.get<std::string>("timezone")};
}

}  // namespace store
}  // namespace payrollx::organization
