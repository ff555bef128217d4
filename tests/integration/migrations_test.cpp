// Migrations against empty databases (created with CREATE DATABASE, not from the template):
// first apply, re-apply, edited and failing files, concurrent runners, runtime-role grants.
#include "core/db/migrations.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <set>

#include "async.hpp"
#include "core/db/pool.hpp"
#include "test_database.hpp"

using namespace payrollx;
using Catch::Matchers::Contains;
using test::empty_database;
using test::failure_of;

namespace {

std::string unique_name(std::string_view label) {
  static std::atomic<int> counter{0};
  return fmt::format("{}_{}_{}", label, ::getpid(), counter.fetch_add(1));
}

std::vector<std::string> embedded_ids() {
  std::vector<std::string> ids;
  for (const auto& migration : db::embedded_migrations()) ids.push_back(migration.id());
  return ids;
}

}  // namespace

TEST_CASE("migrations: apply everything in order into an empty database, then nothing") {
  auto url = empty_database("mig_fresh");
  REQUIRE_FALSE(db::embedded_migrations().empty());
  CHECK(db::embedded_migrations().front().id() == "core/0001_core.sql");

  CHECK(db::migrate(url, {}) == embedded_ids());
  test::Sql sql(url);
  CHECK(sql.count("SELECT count(*) FROM core.schema_migrations") ==
        static_cast<long long>(db::embedded_migrations().size()));
  // Checksums are SHA-256, hex.
  CHECK(sql.count("SELECT count(*) FROM core.schema_migrations"
                  " WHERE checksum !~ '^[0-9a-f]{64}$'") == 0);
  CHECK(sql.count("SELECT count(*) FROM core.currencies") > 0);

  CHECK(db::migrate(url, {}).empty());  // re-apply: a no-op
  auto status = db::migration_status(url);
  REQUIRE(status.size() == db::embedded_migrations().size());
  CHECK(std::all_of(status.begin(), status.end(),
                    [](const auto& s) { return s.applied && s.applied_at.has_value(); }));
}

TEST_CASE("migrations: status lists pending files of an empty database") {
  auto url = empty_database("mig_status");
  auto status = db::migration_status(url);
  REQUIRE(status.size() == db::embedded_migrations().size());
  CHECK(status.front().id == "core/0001_core.sql");
  CHECK(std::none_of(status.begin(), status.end(), [](const auto& s) { return s.applied; }));
}

TEST_CASE("migrations: a new file applies alone, an edited applied file is refused by name") {
  auto url = empty_database("mig_edited");
  auto migrations = db::embedded_migrations();
  db::migrate(url, {}, migrations);

  migrations.push_back({.schema = "core",
                        .file = "9001_extra.sql",
                        .sql = "CREATE TABLE core.extra (id int PRIMARY KEY);"});
  CHECK(db::migrate(url, {}, migrations) == std::vector<std::string>{"core/9001_extra.sql"});

  auto edited = migrations;
  edited.back().sql += "\n-- an innocent-looking comment\n";
  try {
    db::migrate(url, {}, edited);
    FAIL("an edited migration was accepted");
  } catch (const db::MigrationError& e) {
    CHECK_THAT(e.what(), Contains("9001_extra.sql"));
  }
}

TEST_CASE("migrations: a failing file is rolled back, not recorded, and reported") {
  auto url = empty_database("mig_failing");
  auto migrations = db::embedded_migrations();
  migrations.push_back({.schema = "core",
                        .file = "9002_broken.sql",
                        .sql = "CREATE TABLE core.half_done (id int);\n"
                               "INSERT INTO core.no_such_table VALUES (1);"});
  try {
    db::migrate(url, {}, migrations);
    FAIL("a broken migration was accepted");
  } catch (const db::MigrationError& e) {
    CHECK_THAT(e.what(), Contains("9002_broken.sql"));
    CHECK_THAT(e.what(), Contains("no_such_table"));  // the server's message
  }
  test::Sql sql(url);
  CHECK(sql.count("SELECT count(*) FROM core.schema_migrations") ==
        static_cast<long long>(db::embedded_migrations().size()));
  CHECK(sql.count(
            "SELECT count(*) FROM core.schema_migrations WHERE id = 'core/9002_broken.sql'") == 0);
  CHECK_FALSE(sql.scalar("SELECT to_regclass('core.half_done')::text").has_value());
}

TEST_CASE("migrations: two concurrent runners on a fresh database apply each file once") {
  auto url = empty_database("mig_concurrent");
  auto first = std::async(std::launch::async, [&] { return db::migrate(url, {}); });
  auto second = std::async(std::launch::async, [&] { return db::migrate(url, {}); });
  auto a = first.get();
  auto b = second.get();
  std::multiset<std::string> applied(a.begin(), a.end());
  applied.insert(b.begin(), b.end());
  auto ids = embedded_ids();
  CHECK(applied == std::multiset<std::string>(ids.begin(), ids.end()));
  CHECK(test::Sql(url).count("SELECT count(*) FROM core.schema_migrations") ==
        static_cast<long long>(ids.size()));
}

TEST_CASE("migrations: the runtime role may read and write rows but not change schemas") {
  auto url = empty_database("mig_role");
  auto role = unique_name("mig_runtime");
  const std::string password = "runtime-password";
  test::Sql(test::admin_url())
      .exec(fmt::format("CREATE ROLE \"{}\" LOGIN PASSWORD '{}'", role, password));
  db::migrate(url, {.runtime = role});

  test::Sql runtime(test::with_user(url, role, password));
  CHECK(runtime.scalar("SELECT current_user") == role);
  auto id = runtime.scalar(
      "INSERT INTO organization.organizations (name) VALUES ('Acme')"
      " RETURNING id::text");
  REQUIRE(id);
  runtime.exec("UPDATE organization.organizations SET name = 'Acme Ltd' WHERE id = $1", {*id});
  CHECK(runtime.scalar("SELECT name FROM organization.organizations WHERE id = $1", {*id}) ==
        "Acme Ltd");
  CHECK(runtime.count("SELECT count(*) FROM core.currencies") > 0);
  runtime.exec("DELETE FROM organization.organizations WHERE id = $1", {*id});

  CHECK_THAT(failure_of(runtime, "CREATE TABLE organization.sneaky (id int)"), Contains("42501"));
  CHECK_THAT(failure_of(runtime, "DROP TABLE core.currencies"), Contains("42501"));
  // History is append-only for the runtime role: the audit logs and the ledger's entries and
  // transaction logs take INSERT and SELECT, never UPDATE, DELETE or TRUNCATE.
  for (const char* table : {"compliance.audit_logs", "auth.audit_logs", "wallet.entries",
                            "transaction.transaction_logs"}) {
    INFO(table);
    CHECK(runtime.count(fmt::format("SELECT count(*) FROM {}", table)) == 0);
    CHECK_THAT(failure_of(runtime, fmt::format("UPDATE {} SET created_at = now()", table)),
               Contains("42501"));
    CHECK_THAT(failure_of(runtime, fmt::format("DELETE FROM {}", table)), Contains("42501"));
    CHECK_THAT(failure_of(runtime, fmt::format("TRUNCATE {}", table)), Contains("42501"));
  }
}

TEST_CASE("migrations: the reporting role reads every table but secrets, and writes nothing") {
  auto url = empty_database("mig_reporting");
  auto role = unique_name("mig_reporting");
  const std::string password = "reporting-password";
  test::Sql(test::admin_url())
      .exec(fmt::format("CREATE ROLE \"{}\" LOGIN PASSWORD '{}'", role, password));
  db::migrate(url, {.reporting = role});
  test::Sql owner(url);
  owner.exec("INSERT INTO organization.organizations (name) VALUES ('Acme')");

  test::Sql reporting(test::with_user(url, role, password));
  CHECK(reporting.count("SELECT count(*) FROM organization.organizations") == 1);
  for (const char* table :
       {"wallet.entries", "transaction.transactions", "payroll.payroll_runs",
        "compliance.audit_logs", "employee.employees", "notification.notifications"}) {
    INFO(table);
    CHECK(reporting.count(fmt::format("SELECT count(*) FROM {}", table)) == 0);
  }
  // The columns around a secret are readable, the secret is not.
  CHECK(reporting.count("SELECT count(email) FROM auth.users") == 0);
  CHECK_THAT(failure_of(reporting, "SELECT password_hash FROM auth.users"), Contains("42501"));
  CHECK(reporting.count("SELECT count(url) FROM notification.webhook_endpoints") == 0);
  CHECK_THAT(failure_of(reporting, "SELECT secret FROM notification.webhook_endpoints"),
             Contains("42501"));
  CHECK_THAT(failure_of(reporting, "SELECT payload FROM notification.deliveries"),
             Contains("42501"));
  CHECK_THAT(failure_of(reporting, "SELECT content FROM employee.documents"), Contains("42501"));
  for (const char* table : {"auth.refresh_tokens", "auth.invitations", "core.idempotency_keys"}) {
    INFO(table);
    CHECK_THAT(failure_of(reporting, fmt::format("SELECT count(*) FROM {}", table)),
               Contains("42501"));
  }
  // Nothing written, nothing changed.
  CHECK_THAT(failure_of(reporting, "INSERT INTO organization.organizations (name) VALUES ('X')"),
             Contains("42501"));
  CHECK_THAT(failure_of(reporting, "UPDATE organization.organizations SET name = 'X'"),
             Contains("42501"));
  CHECK_THAT(failure_of(reporting, "DELETE FROM organization.organizations"), Contains("42501"));
  CHECK_THAT(failure_of(reporting, "CREATE TABLE organization.sneaky (id int)"), Contains("42501"));
}

TEST_CASE("migrations: migrations_current tells a migrated database from an empty one") {
  auto migrated = empty_database("mig_current");
  db::migrate(migrated, {});
  auto empty = empty_database("mig_not_current");
  test::IoThreads io(2);
  auto current = [&](const std::string& url) {
    db::Pool pool(io.executor(), {.conninfo = url}, nullptr);
    return io.run(
        [&]() -> boost::asio::awaitable<bool> { co_return co_await db::migrations_current(pool); });
  };
  CHECK(current(migrated));
  CHECK_FALSE(current(empty));
}
