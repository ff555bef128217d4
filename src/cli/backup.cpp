// payrollx backup and payrollx restore (docs/deployment.md, "Backups"): the one database in
// pg_dump's custom format, checked before it is reported, and restored only into an empty
// database, then migrated to this binary's schema.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>

#include "cli/commands.hpp"
#include "cli/pg_tools.hpp"
#include "core/db/blocking.hpp"
#include "core/db/migrations.hpp"
#include "core/log.hpp"

namespace payrollx::cli {
namespace {

namespace fs = std::filesystem;

// What a restore needs to find in an archive: the migrations table says what schema it holds.
constexpr std::string_view k_required_entry = "TABLE DATA core schema_migrations";

class CommandFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string last_lines(const std::string& output) {
  std::string text = output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.empty() ? "(no output)" : text;
}

// The archive's table of contents (pg_restore --list); throws CommandFailed unless it reads as
// a complete PayrollX backup. Answers how many tables' data it holds.
std::size_t checked_archive(const fs::path& file) {
  const auto listed = run_pg_tool("pg_restore", {"--list", file.string()});
  if (listed.exit_code != 0)
    throw CommandFailed(fmt::format("{} is not a readable pg_dump archive: {}", file.string(),
                                    last_lines(listed.output)));
  if (listed.output.find(k_required_entry) == std::string::npos)
    throw CommandFailed(
        fmt::format("{} holds no core.schema_migrations: not a PayrollX backup", file.string()));
  std::size_t tables = 0;
  for (std::size_t at = 0; (at = listed.output.find(" TABLE DATA ", at)) != std::string::npos; ++at)
    ++tables;
  return tables;
}

void sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw CommandFailed(fmt::format("cannot open {} to sync it", path.string()));
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) throw CommandFailed(fmt::format("cannot sync {}", path.string()));
}

// The file next to `out` that the dump is written to before it is checked and renamed.
fs::path partial_name(const fs::path& out) {
  return out.parent_path() / fmt::format(".{}.partial-{}", out.filename().string(), ::getpid());
}

void write_backup(const Config& config, const fs::path& out) {
  // The dump holds password hashes and salaries: readable by its owner only, from its first
  // byte (pg_dump inherits the mask).
  ::umask(0077);
  const auto target = client_target(config.migrate_database_url);
  const auto partial = partial_name(out);
  try {
    const auto dumped = run_pg_tool(
        "pg_dump", {"--format=custom", "--lock-wait-timeout=60000", "--file=" + partial.string()},
        &target);
    if (dumped.exit_code != 0)
      throw CommandFailed(fmt::format("pg_dump failed: {}", last_lines(dumped.output)));
    const auto tables = checked_archive(partial);
    sync_path(partial, O_RDONLY);
    fs::rename(partial, out);
    sync_path(out.parent_path().empty() ? fs::path(".") : out.parent_path(),
              O_RDONLY | O_DIRECTORY);
    fmt::print("backup: {} written and checked: {} bytes, {} tables\n", out.string(),
               fs::file_size(out), tables);
  } catch (...) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    throw;
  }
}

// True when the database holds no table of its own (a fresh CREATE DATABASE).
bool is_empty_database(const std::string& url) {
  db::BlockingConnection db(url);
  auto rows = db.run(
      "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
      "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
      "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'");
  return rows.at(0).at(0) == "0";
}

void restore_backup(const Config& config, const fs::path& in, const std::string& url) {
  const auto tables = checked_archive(in);
  if (!is_empty_database(url))
    throw CommandFailed(
        "the target database already has tables: restore only into an empty database "
        "(CREATE DATABASE ...); nothing was changed");
  const auto target = client_target(url);
  // Objects become the restoring role's (the owner of the new database), and grants are made
  // again below for this deployment's runtime role: the backup's roles may not exist here.
  const auto jobs = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
  const auto restored = run_pg_tool("pg_restore",
                                    {"--exit-on-error", "--no-owner", "--no-privileges",
                                     fmt::format("--jobs={}", jobs), in.string()},
                                    &target);
  if (restored.exit_code != 0)
    throw CommandFailed(fmt::format("pg_restore failed: {}", last_lines(restored.output)));
  // The backup may come from an older binary: its pending migrations apply now, and the
  // runtime role gets its rights.
  const auto applied = db::migrate(url, {config.runtime_role, config.reporting_role});
  std::size_t pending = 0;
  for (const auto& migration : db::migration_status(url)) pending += migration.applied ? 0 : 1;
  if (pending != 0) throw CommandFailed(fmt::format("{} migrations are still pending", pending));
  fmt::print("restore: {} restored ({} tables, {} jobs); migrations current ({} applied now)\n",
             in.string(), tables, jobs, applied.size());
}

int reported(const std::function<void()>& work, std::string_view failure_event) {
  try {
    work();
    return k_exit_ok;
  } catch (const std::exception& e) {
    log::error(failure_event, {{"error", e.what()}});
    return k_exit_failure;
  }
}

}  // namespace

int backup(const Invocation& invocation) {
  // A backup needs only the database URLs: dev semantics spare it the JWT secret.
  const auto config = load_configuration(invocation, /*dev=*/true);
  const fs::path out = *invocation.value("--out");
  return reported([&] { write_backup(config, out); }, "backup.failed");
}

int restore(const Invocation& invocation) {
  const auto config = load_configuration(invocation, /*dev=*/true);
  const fs::path in = *invocation.value("--in");
  const auto url = invocation.value("--database-url").value_or(config.migrate_database_url);
  return reported([&] { restore_backup(config, in, url); }, "restore.failed");
}

}  // namespace payrollx::cli
