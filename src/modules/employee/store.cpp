#include "modules/employee/store.hpp"

namespace payrollx::employee::store {

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
          .salary = {.amount = row.get<std::int64_t>("salary_amount"),
                     .currency = row.get<std::string>("salary_currency"),
                     .period = row.get<std::string>("salary_period")},
          .pay_frequency = row.get<std::string>("pay_frequency"),
          .kyc_status = k_kyc_statuses.stored(row.get<std::string>("kyc_status"),
                                              "employee.employees.kyc_status"),
          .kyc_rejection_reason = row.get<std::optional<std::string>>("kyc_rejection_reason"),
          .kyc_reviewed_at = row.get<std::optional<Timestamp>>("kyc_reviewed_at"),
          .wallet_address = row.get<std::optional<std::string>>("wallet_address"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at")};
}

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

Document document_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .employee_id = row.get<Uuid>("employee_id"),
          .document_type = row.get<std::string>("document_type"),
          .file_name = row.get<std::string>("file_name"),
          .content_type = row.get<std::string>("content_type"),
          .size = row.get<std::int64_t>("size"),
          .sha256 = row.get<std::string>("sha256"),
          .created_at = row.get<Timestamp>("created_at")};
}

}  // namespace payrollx::employee::store
