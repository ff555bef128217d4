#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json/array.hpp>
#include <set>

#include "cli/commands.hpp"
#include "core/db/blocking.hpp"
#include "core/db/migrations.hpp"
#include "core/db/session_defaults.hpp"
#include "core/log.hpp"

namespace payrollx::cli {

Config load_configuration(const Invocation& invocation, bool dev) {
  auto config = load_config(invocation.value("--config"), dev, process_env);
  log::configure(log::parse_level(config.log_level), config.log_format == "json");
  return config;
}

namespace {

// Behind a transaction pooler the session settings are the server role's defaults in the
// database (core/db/session_defaults.hpp): set here, by the owner, for the role of the URL.
void set_pooled_role_defaults(const Config& config) {
  const auto role = db::role_of(config.database_url);
  if (!role)
    throw std::runtime_error(
        "database.url names no user: the role whose session defaults a transaction pooler needs");
  db::BlockingConnection owner(config.migrate_database_url);
  db::set_role_defaults(owner, *role, config.db_statement_timeout);
  log::info("db.pooled_role_defaults_set", {{"role", *role}});
}

}  // namespace

bool session_defaults_ok(const Config& config) {
  if (!config.db_transaction_pooling) return true;
  try {
    db::BlockingConnection db(config.database_url);
    auto problem = db::session_defaults_problem(db);
    if (!problem) return true;
    log::error("db.session_defaults_wrong", {{"detail", *problem}});
  } catch (const std::exception& e) {
    log::error("db.session_defaults_unchecked", {{"error", e.what()}});
  }
  return false;
}

bool apply_migrations(const Config& config) {
  try {
    auto applied =
        db::migrate(config.migrate_database_url, {config.runtime_role, config.reporting_role});
    boost::json::array ids(applied.begin(), applied.end());
    log::info("migrations.applied", {{"count", applied.size()}, {"ids", std::move(ids)}});
    if (config.db_transaction_pooling) set_pooled_role_defaults(config);
    return true;
  } catch (const std::exception& e) {
    log::error("migrations.failed", {{"error", e.what()}});
    return false;
  }
}

void warn_if_schema_owner(const Config& config) {
  try {
    db::BlockingConnection db(config.database_url);
    std::set<std::string> schemas;
    for (const auto& migration : db::embedded_migrations()) schemas.insert(migration.schema);
    auto owned = db.run(
        "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
        " (SELECT count(*) FROM pg_namespace WHERE nspname = ANY($1::text[])"
        "   AND pg_has_role(current_user, nspowner, 'MEMBER'))",
        {fmt::format("{{{}}}", fmt::join(schemas, ","))});
    const bool superuser = owned.at(0).at(0) == "t";
    const bool owner = owned.at(0).at(1) != "0";
    if (!superuser && !owner) return;
    log::warn("db.server_is_schema_owner",
              {{"superuser", superuser},
               {"detail",
                "the server's database role owns the schemas (or is a superuser): it could alter "
                "them and rewrite the ledger's history. Connect as the runtime role "
                "(PAYROLLX_DB_RUNTIME_ROLE) and keep the owner for PAYROLLX_MIGRATE_DATABASE_URL "
                "(docs/deployment.md)"}});
  } catch (const std::exception& e) {
    // Readiness reports an unreachable database; this check only advises.
    log::warn("db.ownership_check_failed", {{"error", e.what()}});
  }
}

}  // namespace payrollx::cli
