#pragma once
// The legacy tables and their staging: each is copied from its database into a temporary
// table "legacy_<db>_<table>" of the import's transaction, every column as text.
#include <array>
#include <iosfwd>
#include <string>
#include <string_view>

#include "core/db/blocking.hpp"

namespace payrollx::legacy {

struct LegacyTable {
  std::string_view database;    // the {db} of the template: auth, org, employee, ...
  std::string_view table;       // its name there
  std::string name() const;     // "auth.users", as the report says it
  std::string staging() const;  // "legacy_auth_users"
};

// Every table of the eight databases (tests/legacy/schema.sql has their DDL), in dependency order.
inline constexpr std::array<LegacyTable, 13> k_legacy_tables{{
    {"org", "organizations"},
    {"employee", "organizations"},
    {"auth", "users"},
    {"auth", "refresh_tokens"},
    {"auth", "audit_logs"},
    {"employee", "employees"},
    {"wallet", "wallets"},
    {"payroll", "payroll_runs"},
    {"payroll", "payroll_items"},
    {"transaction", "transactions"},
    {"notification", "notifications"},
    {"compliance", "compliance_reports"},
    {"compliance", "audit_logs"},
}};

// The template with every {db} replaced by `database`; throws std::invalid_argument when the
// template has no {db}.
std::string source_url(std::string_view source_template, std::string_view database);

// Copies every legacy table into its staging table on `target` (in its open transaction),
// saying how many rows each had on `progress`.
void stage_all(db::BlockingConnection& target, std::string_view source_template,
               std::ostream& progress);

}  // namespace payrollx::legacy
