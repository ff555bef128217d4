#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json/array.hpp>
#include <set>

#include "cli/commands.hpp"
#include "core/db/blocking.hpp"
#include "core/db/migrations.hpp"
#include "core/log.hpp"

namespace payrollx::cli {

Config load_configuration(const Invocation& invocation, bool dev) {
  auto config = load_config(invocation.value("--config"), dev, process_env);
  log::configure(log::parse_level(config.log_level), config.log_format == "json");
  return config;
}

bool apply_migrations(const Config& config) {
  try {
    auto applied =
        db::migrate(config.migrate_database_url, {config.runtime_role, config.reporting_role});
    boost::json::array ids(applied.begin(), applied.end());
    log::info("migrations.applied", {{"count", applied.size()}, {"ids", std::move(ids)}});
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
