// payrollx import-legacy --source-template URL_WITH_{db} [--dry-run] (src/legacy).
#include <iostream>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "legacy/legacy.hpp"

namespace payrollx::cli {

int import_legacy(const Invocation& invocation) {
  const auto config = load_configuration(invocation, /*dev=*/true);
  const legacy::ImportOptions options{.source_template = *invocation.value("--source-template"),
                                      .target_url = config.migrate_database_url,
                                      .dry_run = invocation.has("--dry-run")};
  try {
    const auto result = legacy::import_legacy(options, std::cout, std::cerr);
    return result == legacy::ImportResult::committed || result == legacy::ImportResult::dry_run
               ? k_exit_ok
               : k_exit_failure;
  } catch (const std::exception& e) {
    log::error("import.failed", {{"error", e.what()}, {"detail", "nothing was written"}});
    return k_exit_failure;
  }
}

}  // namespace payrollx::cli
