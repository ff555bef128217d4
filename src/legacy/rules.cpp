#include "legacy/rules.hpp"

#include <array>

namespace payrollx::legacy {

std::span<const Rule> rules() {
  static constexpr std::array<Rule, 13> k_rules{{
      {"org.organizations", "organization.organizations", convert_organizations},
      {"employee.organizations", "", convert_organization_copies},
      {"auth.users", "auth.users", convert_users},
      {"auth.refresh_tokens", "", convert_refresh_tokens},
      {"employee.employees", "employee.employees", convert_employees},
      {"wallet.wallets", "wallet.wallets", convert_wallets},
      {"payroll.payroll_runs", "payroll.payroll_runs", convert_payroll_runs},
      {"payroll.payroll_items", "payroll.payroll_items", convert_payroll_items},
      {"transaction.transactions", "transaction.transactions", convert_transactions},
      {"notification.notifications", "notification.notifications", convert_notifications},
      {"compliance.compliance_reports", "compliance.reports", convert_reports},
      {"auth.audit_logs", "compliance.audit_logs", convert_auth_audit_logs},
      {"compliance.audit_logs", "compliance.audit_logs", convert_compliance_audit_logs},
  }};
  return k_rules;
}

// The employee database's copy of the organisations: the org database is their owner.
void convert_organization_copies(db::BlockingConnection& db) {
  db.run(
      "INSERT INTO legacy_outcomes (legacy_table, legacy_id, outcome, reason) "
      "SELECT 'employee.organizations', id, 'skipped', 'copy_of_org_database' "
      "FROM legacy_employee_organizations");
}

// Sessions are not carried over: every user signs in again.
void convert_refresh_tokens(db::BlockingConnection& db) {
  db.run(
      "INSERT INTO legacy_outcomes (legacy_table, legacy_id, outcome, reason) "
      "SELECT 'auth.refresh_tokens', id, 'skipped', 'not_imported' "
      "FROM legacy_auth_refresh_tokens");
}

}  // namespace payrollx::legacy
