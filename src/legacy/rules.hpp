#pragma once
// The conversions of docs/legacy-import.md, one per legacy table, in the order they run (a
// row's parent is decided before the row).
#include <span>

#include "legacy/outcomes.hpp"

namespace payrollx::legacy {

std::span<const Rule> rules();

// Each fills legacy_outcomes for its legacy table and writes the rows it decided to write.
void convert_organizations(db::BlockingConnection& db);
void convert_organization_copies(db::BlockingConnection& db);
void convert_users(db::BlockingConnection& db);
void convert_refresh_tokens(db::BlockingConnection& db);
void convert_employees(db::BlockingConnection& db);
void convert_wallets(db::BlockingConnection& db);
void convert_payroll_runs(db::BlockingConnection& db);
void convert_payroll_items(db::BlockingConnection& db);
void convert_transactions(db::BlockingConnection& db);
void convert_notifications(db::BlockingConnection& db);
void convert_reports(db::BlockingConnection& db);
void convert_auth_audit_logs(db::BlockingConnection& db);
void convert_compliance_audit_logs(db::BlockingConnection& db);

}  // namespace payrollx::legacy
