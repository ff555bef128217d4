#pragma once
// The import of the eight legacy databases (docs/operations.md runs it, docs/legacy-import.md
// holds its rules): every legacy table is streamed into a temporary staging table of the target
// (COPY, text), each row gets one outcome (written, already there, or skipped with a reason)
// from set-based SQL, the new rows are written from
// the staging tables, and the whole is one transaction on the owner's connection that commits
// only when every table and every amount balances.
#include <iosfwd>
#include <string>

namespace payrollx::legacy {

struct ImportOptions {
  std::string source_template;  // a libpq URL with {db} for auth, org, employee, ...
  std::string target_url;       // the owner's (migrate) URL
  bool dry_run = false;         // everything but the commit
};

enum class ImportResult {
  committed,       // balanced, written (or nothing was left to write)
  dry_run,         // balanced, rolled back as asked
  unbalanced,      // a table or total does not add up: rolled back
  already_running  // another import holds the lock: nothing done
};

// Throws db::BlockingError (a database cannot be reached, a statement fails) and
// std::invalid_argument (a template without {db}); nothing is written then either.
ImportResult import_legacy(const ImportOptions& options, std::ostream& report,
                           std::ostream& progress);

}  // namespace payrollx::legacy
