#pragma once
// Migrations: sql/<schema>/NNNN_what.sql, embedded into the binary at build time, applied in
// schema dependency order (core, organization, auth, compliance, notification, ...) then file
// number, each inside its own transaction, recorded in core.schema_migrations with a SHA-256
// checksum, under an advisory lock so that servers starting together migrate once.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/db/grants.hpp"

namespace payrollx::db {

class Pool;

struct Migration {
  std::string schema;  // "auth"
  std::string file;    // "0001_users.sql"
  std::string sql;
  std::string id() const { return schema + "/" + file; }
};

// Thrown when an applied migration's file changed, or a migration fails.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MigrationStatus {
  std::string id;
  bool applied = false;
  std::optional<std::string> applied_at;
};

// The migrations compiled into this binary, in the order they apply.
const std::vector<Migration>& embedded_migrations();

// Applies pending migrations as the database owner (blocking libpq: runs before serving or from
// the CLI), then grants the roles named their rights (core/db/grants.hpp). Returns the ids
// applied now.
std::vector<std::string> migrate(const std::string& owner_conninfo, const Roles& roles);
// The same with an explicit list (tests simulate new and edited files with it).
std::vector<std::string> migrate(const std::string& owner_conninfo, const Roles& roles,
                                 const std::vector<Migration>& migrations);
std::vector<MigrationStatus> migration_status(const std::string& conninfo);

// Readiness: every embedded migration is applied (more may be: a newer instance migrated).
boost::asio::awaitable<bool> migrations_current(Pool& pool);

}  // namespace payrollx::db
