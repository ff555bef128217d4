#include <fmt/format.h>

#include "cli/commands.hpp"
#include "core/db/migrations.hpp"
#include "core/log.hpp"

namespace payrollx::cli {
namespace {

int print_status(const Config& config) {
  try {
    for (const auto& migration : db::migration_status(config.migrate_database_url)) {
      fmt::print("{:<8} {:<48} {}\n", migration.applied ? "applied" : "pending", migration.id,
                 migration.applied_at.value_or(""));
    }
    return k_exit_ok;
  } catch (const std::exception& e) {
    log::error("migrations.status_failed", {{"error", e.what()}});
    return k_exit_failure;
  }
}

}  // namespace

int migrate(const Invocation& invocation) {
  // Migrating needs only the database URLs: dev semantics spare it the JWT secret.
  auto config = load_configuration(invocation, /*dev=*/true);
  if (invocation.has("--status")) return print_status(config);
  return apply_migrations(config) ? k_exit_ok : k_exit_failure;
}

}  // namespace payrollx::cli
