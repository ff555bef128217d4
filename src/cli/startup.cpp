#include <boost/json/array.hpp>

#include "cli/commands.hpp"
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
    auto applied = db::migrate(config.migrate_database_url, config.runtime_role);
    boost::json::array ids(applied.begin(), applied.end());
    log::info("migrations.applied", {{"count", applied.size()}, {"ids", std::move(ids)}});
    return true;
  } catch (const std::exception& e) {
    log::error("migrations.failed", {{"error", e.what()}});
    return false;
  }
}

}  // namespace payrollx::cli
