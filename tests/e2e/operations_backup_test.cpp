// payrollx backup and restore (docs/deployment.md, "Backups"): a backup taken while the server
// serves, restored into a new database, serves again: sign-in, balances, reconciliation, the audit
// chain, new writes. And every refusal: a database with tables, a damaged archive, an unwritable
// destination.
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "auth_helpers.hpp"
#include "ledger_helpers.hpp"

namespace {

namespace fs = std::filesystem;
using namespace payrollx::test;
using namespace payrollx::test::ledger;

// A directory of its own for the test's archives, removed at the end.
struct ScratchDirectory {
  fs::path path = fs::temp_directory_path() / fmt::format("payrollx-backup-{}", ::getpid());
  ScratchDirectory() { fs::create_directories(path); }
  ~ScratchDirectory() { fs::remove_all(path); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
  }
};

CommandResult payrollx_on(const std::string& database_url, std::vector<std::string> args) {
  return run_payrollx(args, {{"PAYROLLX_DATABASE_URL", database_url}}, std::chrono::seconds(120));
}

long long tables_of(const std::string& url) {
  Sql sql(url);
  return sql.count(
      "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
      "'information_schema')");
}

}  // namespace

TEST_CASE("operations: a backup taken while serving restores into a server that works", "[e2e]") {
  TestApp app("backup_source", auth_e2e::unthrottled());
  auto& http = app.http();
  auto admin = app.signup("backup");
  const auto treasury = treasury_of(http, admin.access_token);
  expect(deposit(http, admin.access_token, treasury, 1'000'000), 201);
  const auto ada = wallet_of_employee(hire(http, admin.access_token, "ada"));
  expect(transfer(http, admin.access_token, treasury, ada, 250'000), 201);

  // Deposits keep coming while pg_dump runs: the archive is one consistent snapshot of them.
  ScratchDirectory scratch;
  const auto archive = scratch.path / "payrollx.dump";
  std::atomic<bool> done{false};
  std::atomic<int> landed{0}, refused{0};
  std::thread traffic([&] {
    auto client = app.new_client();
    while (!done)
      ++(deposit(client, admin.access_token, treasury, 100).status == 201 ? landed : refused);
  });
  const auto backup = payrollx_on(app.database_url(), {"backup", "--out", archive.string()});
  done = true;
  traffic.join();
  INFO(backup.output);
  REQUIRE(backup.exit_code == 0);
  CHECK(refused == 0);
  CHECK(landed > 0);
  CHECK(backup.output.find("written and checked") != std::string::npos);
  const auto owner_only = fs::perms::owner_read | fs::perms::owner_write;
  CHECK((fs::status(archive).permissions() & fs::perms::all) == owner_only);
  CHECK(scratch.entries() == 1);  // no partial file left beside it

  const auto target = empty_database("backup_target");
  const auto restored = payrollx_on(target, {"restore", "--in", archive.string()});
  INFO(restored.output);
  REQUIRE(restored.exit_code == 0);
  CHECK(restored.output.find("migrations current") != std::string::npos);

  ServerProcess server(ServerSettings{.database_url = target});
  HttpClient client(server.port());
  auto signed_in = auth_e2e::login(client, admin.email, admin.password);
  REQUIRE(signed_in.status == 200);
  const auto token = auth_e2e::text_at(signed_in.json(), "accessToken");
  CHECK(balance_of(client, token, ada) == 250'000);
  // The treasury as it was at the snapshot: every deposit in it is whole (its balance and its
  // entries agree), and the restored books reconcile.
  Sql restored_sql(target);
  CHECK(balance_of(client, token, treasury) ==
        750'000 + 100 * restored_sql.count("SELECT count(*) FROM transaction.transactions "
                                           "WHERE type = 'DEPOSIT' AND amount = 100"));
  CHECK(reconciliation(client, token).at("ok").as_bool());
  auto verified = expect(client.get("/api/v1/audit-logs/verify", token), 200);
  CHECK(verified.at("ok").as_bool());
  CHECK(verified.at("checked").as_int64() > 0);
  // New writes work on the restored database.
  expect(deposit(client, token, ada, 5'000), 201);
  CHECK(balance_of(client, token, ada) == 255'000);

  // A database with tables is refused and left as it was.
  const auto tables = tables_of(target);
  const auto transactions = restored_sql.count("SELECT count(*) FROM transaction.transactions");
  const auto again = payrollx_on(target, {"restore", "--in", archive.string()});
  CHECK(again.exit_code == 1);
  CHECK(again.output.find("already has tables") != std::string::npos);
  CHECK(tables_of(target) == tables);
  CHECK(restored_sql.count("SELECT count(*) FROM transaction.transactions") == transactions);
}

TEST_CASE("operations: damaged archives and unwritable destinations fail and leave nothing",
          "[e2e]") {
  const auto source = fresh_database("backup_refusals");
  ScratchDirectory scratch;

  // A file that is not an archive, and one cut short: refused before anything is restored.
  const auto garbage = scratch.path / "garbage.dump";
  std::ofstream(garbage) << "not a pg_dump archive\n";
  const auto whole = scratch.path / "whole.dump";
  REQUIRE(payrollx_on(source, {"backup", "--out", whole.string()}).exit_code == 0);
  const auto cut = scratch.path / "cut.dump";
  fs::copy_file(whole, cut);
  fs::resize_file(cut, fs::file_size(whole) / 2);
  for (const auto& damaged : {garbage, cut}) {
    const auto target = empty_database("backup_damaged");
    const auto refused = payrollx_on(target, {"restore", "--in", damaged.string()});
    INFO(refused.output);
    CHECK(refused.exit_code == 1);
    CHECK(tables_of(target) == 0);
  }

  // A destination that cannot be written: a failure, and no file, partial or whole.
  const auto entries = scratch.entries();
  const auto nowhere = scratch.path / "missing-directory" / "payrollx.dump";
  const auto failed = payrollx_on(source, {"backup", "--out", nowhere.string()});
  CHECK(failed.exit_code == 1);
  CHECK(failed.output.find("pg_dump failed") != std::string::npos);
  CHECK(scratch.entries() == entries);

  // A database that cannot be reached: the same.
  const auto unreachable = payrollx_on(with_database(admin_url(), "no_such_database"),
                                       {"backup", "--out", (scratch.path / "never.dump").string()});
  CHECK(unreachable.exit_code == 1);
  CHECK(scratch.entries() == entries);
}
