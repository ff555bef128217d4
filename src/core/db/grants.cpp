#include "core/db/grants.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <string_view>

namespace payrollx::db {
namespace {

constexpr std::array<std::string_view, 6> k_append_only{
    "compliance.audit_logs", "compliance.audit_seals",       "auth.audit_logs",
    "wallet.entries",        "transaction.transaction_logs", "transaction.settlement_attempts"};

// Tables the reporting role may not read at all.
constexpr std::array<std::string_view, 5> k_unreadable{
    "auth.refresh_tokens", "auth.invitations", "auth.login_lockouts", "core.idempotency_keys",
    "core.schema_migrations"};

// Tables the reporting role reads but for some columns.
struct HiddenColumn {
  std::string_view table;
  std::string_view column;
};
constexpr std::array<HiddenColumn, 5> k_hidden_columns{{
    {"auth.users", "password_hash"},
    {"notification.webhook_endpoints", "secret"},
    {"notification.deliveries", "payload"},
    {"notification.fanouts", "payloads"},
    {"employee.documents", "content"},
}};

// Whether `table` ("schema.table") exists: the list may name tables of later migrations.
bool exists(BlockingConnection& db, std::string_view table) {
  return db.run("SELECT to_regclass($1) IS NOT NULL", {std::string(table)}).at(0).at(0) == "t";
}

// Runs `statements` ({0}: a schema, {1}: the grantee) for every schema.
void grant_on_schemas(BlockingConnection& db, const std::set<std::string>& schemas,
                      const std::string& grantee, std::string_view statements) {
  for (const auto& name : schemas)
    db.run(fmt::format(fmt::runtime(statements), quote_identifier(name), grantee));
}

}  // namespace

void grant_runtime_rights(BlockingConnection& db, const std::string& role,
                          const std::set<std::string>& schemas) {
  const std::string grantee = quote_identifier(role);
  grant_on_schemas(db, schemas, grantee,
                   "GRANT USAGE ON SCHEMA {0} TO {1};"
                   "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {0} TO {1};"
                   "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {0} TO {1};"
                   "ALTER DEFAULT PRIVILEGES IN SCHEMA {0} "
                   "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {1};"
                   "ALTER DEFAULT PRIVILEGES IN SCHEMA {0} "
                   "GRANT USAGE, SELECT ON SEQUENCES TO {1};");
  for (auto table : k_append_only)
    if (exists(db, table))
      db.run(fmt::format("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}", table, grantee));
}

void grant_reporting_rights(BlockingConnection& db, const std::string& role,
                            const std::set<std::string>& schemas) {
  const std::string grantee = quote_identifier(role);
  grant_on_schemas(db, schemas, grantee,
                   "GRANT USAGE ON SCHEMA {0} TO {1};"
                   "GRANT SELECT ON ALL TABLES IN SCHEMA {0} TO {1};"
                   "ALTER DEFAULT PRIVILEGES IN SCHEMA {0} GRANT SELECT ON TABLES TO {1};");
  for (auto table : k_unreadable)
    if (exists(db, table)) db.run(fmt::format("REVOKE SELECT ON {} FROM {}", table, grantee));
  for (const auto& hidden : k_hidden_columns) {
    if (!exists(db, hidden.table)) continue;
    // A column cannot be taken out of a table-wide grant: the grant becomes one per column.
    auto columns = db.run(
        "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = $1::regclass "
        "AND attnum > 0 AND NOT attisdropped AND attname <> $2 ORDER BY attnum",
        {std::string(hidden.table), std::string(hidden.column)});
    std::set<std::string> readable;
    for (const auto& row : columns) readable.insert(row.at(0));
    db.run(fmt::format("REVOKE SELECT ON {0} FROM {1}; GRANT SELECT ({2}) ON {0} TO {1}",
                       hidden.table, grantee, fmt::join(readable, ", ")));
  }
}

}  // namespace payrollx::db
