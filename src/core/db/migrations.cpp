#include "core/db/migrations.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <set>

#include "core/db/blocking.hpp"
#include "core/db/grants.hpp"
#include "core/db/pool.hpp"
#include "core/db/sqlstate.hpp"
#include "core/log.hpp"

namespace payrollx::db {

namespace {

// Every payrollx process migrating the same database takes this session-level advisory lock
// first, so servers starting together apply each file once.
constexpr long long k_migration_lock_key = 0x5041'5952'4f4c'4c58;  // "PAYROLLX"

constexpr std::string_view k_bootstrap = R"sql(
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE IF NOT EXISTS core.schema_migrations (
  id         text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
)sql";

std::string checksum(std::string_view sql) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(sql.data()), sql.size());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

void apply(BlockingConnection& db, const Migration& migration) {
  try {
    db.run("BEGIN");
    db.run(migration.sql);
    db.run("INSERT INTO core.schema_migrations (id, checksum) VALUES ($1, $2)",
           {migration.id(), checksum(migration.sql)});
    db.run("COMMIT");
  } catch (const BlockingError& e) {
    db.run("ROLLBACK");
    throw MigrationError(fmt::format("migration {} failed: {}", migration.id(), e.what()));
  }
}

}  // namespace

std::vector<std::string> migrate(const std::string& owner_conninfo, const Roles& roles) {
  return migrate(owner_conninfo, roles, embedded_migrations());
}

std::vector<std::string> migrate(const std::string& owner_conninfo, const Roles& roles,
                                 const std::vector<Migration>& migrations) {
  BlockingConnection db(owner_conninfo);
  db.run(fmt::format("SELECT pg_advisory_lock({})", k_migration_lock_key));
  std::vector<std::string> applied_now;
  try {
    db.run(std::string(k_bootstrap));
    std::map<std::string, std::string> applied;
    for (auto& row : db.run("SELECT id, checksum FROM core.schema_migrations"))
      applied.emplace(row[0], row[1]);
    for (const auto& migration : migrations) {
      auto found = applied.find(migration.id());
      if (found == applied.end()) {
        apply(db, migration);
        log::info("migration.applied", {{"id", migration.id()}});
        applied_now.push_back(migration.id());
      } else if (found->second != checksum(migration.sql)) {
        throw MigrationError(fmt::format(
            "migration {} was changed after it was applied; add a new migration instead",
            migration.id()));
      }
    }
    std::set<std::string> schemas;
    for (const auto& migration : migrations) schemas.insert(migration.schema);
    if (!roles.runtime.empty()) grant_runtime_rights(db, roles.runtime, schemas);
    if (!roles.reporting.empty()) grant_reporting_rights(db, roles.reporting, schemas);
  } catch (...) {
    db.run(fmt::format("SELECT pg_advisory_unlock({})", k_migration_lock_key));
    throw;
  }
  db.run(fmt::format("SELECT pg_advisory_unlock({})", k_migration_lock_key));
  return applied_now;
}

std::vector<MigrationStatus> migration_status(const std::string& conninfo) {
  BlockingConnection db(conninfo);
  std::map<std::string, std::string> applied;
  auto exists = db.run("SELECT to_regclass('core.schema_migrations') IS NOT NULL");
  if (exists.at(0).at(0) == "t") {
    for (auto& row : db.run("SELECT id, to_char(applied_at AT TIME ZONE 'UTC', "
                            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM core.schema_migrations"))
      applied.emplace(row[0], row[1]);
  }
  std::vector<MigrationStatus> statuses;
  for (const auto& migration : embedded_migrations()) {
    auto found = applied.find(migration.id());
    statuses.push_back({.id = migration.id(),
                        .applied = found != applied.end(),
                        .applied_at = found != applied.end()
                                          ? std::optional<std::string>(found->second)
                                          : std::nullopt});
  }
  return statuses;
}

boost::asio::awaitable<bool> migrations_current(Pool& pool) {
  static constexpr Query k_applied{"core.applied_migrations",
                                   "SELECT coalesce(array_agg(id ORDER BY id COLLATE \"C\"), '{}') "
                                   "AS ids FROM core.schema_migrations"};
  std::vector<std::string> embedded;
  for (const auto& migration : embedded_migrations()) embedded.push_back(migration.id());
  std::sort(embedded.begin(), embedded.end());  // byte order, as the query's COLLATE "C"
  try {
    auto result = co_await pool.query(k_applied);
    auto applied = result.one().get<std::vector<std::string>>("ids");
    // A superset is current: during a rolling upgrade a newer instance may have migrated ahead.
    co_return std::includes(applied.begin(), applied.end(), embedded.begin(), embedded.end());
  } catch (const Error& e) {
    if (e.sqlstate() == sqlstate::k_undefined_table) co_return false;  // not migrated at all yet
    throw;
  }
}

}  // namespace payrollx::db
