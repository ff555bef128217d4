#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>
#include <ostream>

#include "core/db/migrations.hpp"
#include "legacy/legacy.hpp"
#include "legacy/outcomes.hpp"
#include "legacy/rules.hpp"
#include "legacy/sources.hpp"

namespace payrollx::legacy {
namespace {

// Held for the import's transaction: a second import waits for nothing, it stops.
constexpr std::string_view k_lock_key = "5495877265903930697";  // "LEGACYMI" as a bigint

void require_current_schema(const std::string& target_url) {
  for (const auto& migration : db::migration_status(target_url))
    if (!migration.applied)
      throw db::BlockingError(
          fmt::format("migration {} is not applied yet: run payrollx migrate first", migration.id));
}

}  // namespace

ImportResult import_legacy(const ImportOptions& options, std::ostream& report,
                           std::ostream& progress) {
  require_current_schema(options.target_url);
  db::BlockingConnection target(options.target_url);
  target.run("BEGIN");
  const auto locked =
      target.run(fmt::format("SELECT pg_try_advisory_xact_lock({}::bigint)", k_lock_key));
  if (locked.at(0).at(0) != "t") {
    target.run("ROLLBACK");
    fmt::print(report, "another import is running: nothing was done\n");
    return ImportResult::already_running;
  }
  stage_all(target, options.source_template, progress);
  create_outcome_tables(target);
  for (const auto& rule : rules()) {
    fmt::print(progress, "import: converting {}\n", rule.legacy);
    progress.flush();
    const auto start = std::chrono::steady_clock::now();
    rule.convert(target);
    // The rows just written are in no statistics yet (autovacuum cannot see them before the
    // commit): the next rules' joins would plan against an empty table, nesting loops.
    if (!rule.target.empty()) target.run(fmt::format("ANALYZE {}", rule.target));
    fmt::print(progress, "import: converted  {} in {} ms\n", rule.legacy,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count());
  }
  const auto verdict = report_outcomes(target, rules(), report);
  if (!verdict.balanced) {
    target.run("ROLLBACK");
    fmt::print(report, "\nthe import does not balance: nothing was written\n");
    return ImportResult::unbalanced;
  }
  if (options.dry_run) {
    target.run("ROLLBACK");
    fmt::print(report, "\ndry run: it balances, and nothing was written\n");
    return ImportResult::dry_run;
  }
  target.run("COMMIT");
  report << (verdict.nothing_written
                 ? "\nnothing new: every row was already imported (or is skipped)\n"
                 : "\nimported and committed\n");
  return ImportResult::committed;
}

}  // namespace payrollx::legacy
