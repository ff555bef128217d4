// payrollx import-legacy against real legacy databases (tests/legacy): the sample data set,
// and one the test writes with the awkward cases of the rules. The import converts the
// organisations, users, employees, wallets, payroll runs and items and notifications so far; it
// reports the other tables as not converted yet, so it does not balance and writes nothing.
#include <catch2/catch.hpp>
#include <string>

#include "legacy_databases.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

namespace {

using namespace payrollx::test;
using Catch::Matchers::Contains;

CommandResult import_into(const std::string& target, const LegacyDatabases& legacy,
                          bool dry_run = false) {
  std::vector<std::string> args{"import-legacy", "--source-template", legacy.source_template()};
  if (dry_run) args.emplace_back("--dry-run");
  return run_payrollx(args, {{"PAYROLLX_DATABASE_URL", target}}, std::chrono::seconds(120));
}

// The output with each line's leading spaces dropped and runs of spaces squeezed to one.
std::string squeezed(const std::string& output) {
  std::string text;
  bool line_start = true;
  for (char c : output) {
    if (c == ' ' && (line_start || text.back() == ' ')) continue;
    text += c;
    line_start = c == '\n';
  }
  return text;
}

// The report's line that starts with `start` (a legacy table's, or a skipped row's).
std::string line_of(const std::string& output, const std::string& start) {
  const auto text = "\n" + squeezed(output);
  const auto at = text.find("\n" + start + " ");
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

}  // namespace

TEST_CASE("legacy import: the sample set's organisations and users convert", "[e2e]") {
  LegacyDatabases legacy("sample", /*sample=*/true);
  const auto target = fresh_database("legacy_sample");
  const auto imported = import_into(target, legacy, /*dry_run=*/true);
  INFO(imported.output);
  CHECK(line_of(imported.output, "org.organizations") == "org.organizations 3 3 0 0 ok");
  CHECK(line_of(imported.output, "employee.organizations") == "employee.organizations 3 0 0 3 ok");
  CHECK(line_of(imported.output, "auth.users") == "auth.users 60 60 0 0 ok");
  CHECK(line_of(imported.output, "auth.refresh_tokens") == "auth.refresh_tokens 10 0 0 10 ok");
  // Every table is read; those without their conversion yet keep the import from committing.
  CHECK(line_of(imported.output, "employee.employees") == "employee.employees 57 57 0 0 ok");
  CHECK(line_of(imported.output, "wallet.wallets") == "wallet.wallets 57 57 0 0 ok");
  CHECK(line_of(imported.output, "payroll.payroll_runs") == "payroll.payroll_runs 6 6 0 0 ok");
  CHECK(line_of(imported.output, "payroll.payroll_items") ==
        "payroll.payroll_items 112 112 0 0 ok");
  CHECK(line_of(imported.output, "transaction.transactions") ==
        "transaction.transactions 56 not converted yet");
  CHECK(line_of(imported.output, "notification.notifications") ==
        "notification.notifications 30 30 0 0 ok");
  // Salaries: the sample's totals per token, exact, in and out.
  CHECK(line_of(imported.output, "employee.employees salary USDC:") ==
        "employee.employees salary USDC: read 2907270.75 written 2907270.75 (in the new schema "
        "2907270.75) present 0 skipped 0 ok");
  CHECK(line_of(imported.output, "employee.employees salary SOL:") ==
        "employee.employees salary SOL: read 1482142.5 written 1482142.5 (in the new schema "
        "1482142.5) present 0 skipped 0 ok");
  CHECK(line_of(imported.output, "compliance.audit_logs") ==
        "compliance.audit_logs 25 not converted yet");
  CHECK_THAT(imported.output, Contains("nothing was written"));
  CHECK(imported.exit_code == 1);
  Sql sql(target);
  CHECK(sql.count("SELECT count(*) FROM organization.organizations") == 0);
  CHECK(sql.count("SELECT count(*) FROM auth.users") == 0);
  // Progress went to stderr as each table was read.
  CHECK_THAT(imported.output, Contains("import: read        60 rows of auth.users"));
}

TEST_CASE("legacy import: duplicate emails, unknown roles, orphans, deleted organisations",
          "[e2e]") {
  LegacyDatabases legacy("awkward", /*sample=*/false);
  Sql(legacy.url("org")).exec(R"sql(
    INSERT INTO "organizations" ("id","name","createdBy","createdAt","updatedAt","deletedAt") VALUES
      ('00000000-0000-4000-8000-000000000001', 'Acme', 'x', '2025-01-01', '2025-01-01', NULL),
      ('00000000-0000-4000-8000-000000000002', 'ACME', 'x', '2025-02-01', '2025-02-01', NULL),
      ('00000000-0000-4000-8000-000000000003', 'Gone', 'x', '2025-01-01', '2025-01-01',
       '2025-05-01'),
      ('not-a-uuid', 'Broken', 'x', '2025-01-01', '2025-01-01', NULL))sql");
  Sql(legacy.url("auth")).exec(R"sql(
    INSERT INTO "users" ("id","email","password","firstName","lastName","role","organizationId",
                         "createdAt","updatedAt") VALUES
      ('10000000-0000-4000-8000-000000000001', 'Ann@Example.com', '$2b$12$x', 'Ann', 'A',
       'org_admin', '00000000-0000-4000-8000-000000000001', '2025-01-01', '2025-01-01'),
      ('10000000-0000-4000-8000-000000000002', 'ann@example.com', '$2b$12$x', 'Ann', 'B',
       'EMPLOYEE', '00000000-0000-4000-8000-000000000001', '2025-01-02', '2025-01-02'),
      ('10000000-0000-4000-8000-000000000003', 'bob@example.com', '$2b$12$x', 'Bob', 'C',
       'manager', '00000000-0000-4000-8000-000000000003', '2025-01-01', '2025-01-01'),
      ('10000000-0000-4000-8000-000000000004', 'cy@example.com', '$2b$12$x', 'Cy', 'D',
       '', '00000000-0000-4000-8000-000000000001', '2025-01-01', '2025-01-01'),
      ('10000000-0000-4000-8000-000000000005', 'orphan@example.com', '$2b$12$x', 'Or', 'E',
       'EMPLOYEE', '00000000-0000-4000-8000-000000000009', '2025-01-01', '2025-01-01'),
      ('10000000-0000-4000-8000-000000000006', 'dup-org@example.com', '$2b$12$x', 'Du', 'F',
       'EMPLOYEE', '00000000-0000-4000-8000-000000000002', '2025-01-01', '2025-01-01'))sql");
  // The employee database's copy of the organisations (its foreign keys point there) knows one
  // the org database does not: its employees are orphans.
  Sql(legacy.url("employee")).exec(R"sql(
    INSERT INTO "organizations" ("id","name","createdBy","createdAt","updatedAt") VALUES
      ('00000000-0000-4000-8000-000000000001', 'Acme', 'x', '2025-01-01', '2025-01-01'),
      ('00000000-0000-4000-8000-000000000003', 'Gone', 'x', '2025-01-01', '2025-01-01'),
      ('00000000-0000-4000-8000-000000000009', 'Lost', 'x', '2025-01-01', '2025-01-01');
    INSERT INTO "employees" ("id","organizationId","userId","walletAddress","kycStatus","salary",
                             "paymentToken","createdAt","updatedAt","deletedAt") VALUES
      -- whole, with a wallet, a rejected KYC and an address that is not a Solana one
      ('20000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
       '10000000-0000-4000-8000-000000000001', 'not-base58!', 'REJECTED', 60000.5, 'USDC',
       '2025-01-05', '2025-01-05', NULL),
      -- its user was skipped as a duplicate email: imported without a portal account
      ('20000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003',
       '10000000-0000-4000-8000-000000000002', NULL, 'VERIFIED', 50000, '',
       '2025-01-05', '2025-01-05', '2025-03-01'),
      -- more decimals than USDC has
      ('20000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001',
       '10000000-0000-4000-8000-000000000004', NULL, 'PENDING', 1000.1234567, 'USDC',
       '2025-01-05', '2025-01-05', NULL),
      -- of an organisation that does not exist
      ('20000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000009',
       '10000000-0000-4000-8000-000000000005', NULL, 'PENDING', 1000, 'SOL',
       '2025-01-05', '2025-01-05', NULL),
      -- exact at USDC's 6 decimals, and 2^53 + 1 minor units: no double holds it
      ('20000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000001',
       '10000000-0000-4000-8000-000000000006', NULL, 'APPROVED', 9007199254.740993, 'USDC',
       '2025-01-05', '2025-01-05', NULL),
      -- a token PayrollX does not know
      ('20000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000003',
       '10000000-0000-4000-8000-000000000003', NULL, 'APPROVED', 1000, 'DOGE',
       '2025-01-05', '2025-01-05', NULL))sql");
  Sql(legacy.url("wallet")).exec(R"sql(
    INSERT INTO "wallets" ("id","employeeId","publicKey","createdBy","createdAt","updatedAt",
                           "deletedAt") VALUES
      ('30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001',
       'bGVnYWN5LWtleQ', 'x', '2025-01-06', '2025-01-06', NULL),
      ('30000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001',
       'c2Vjb25k', 'x', '2025-01-07', '2025-01-07', NULL),
      ('30000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002',
       'ZGVsZXRlZA', 'x', '2025-01-06', '2025-01-06', '2025-02-01'),
      ('30000000-0000-4000-8000-000000000004', '20000000-0000-4000-8000-000000000003',
       'b3JwaGFu', 'x', '2025-01-06', '2025-01-06', NULL))sql");
  Sql(legacy.url("payroll")).exec(R"sql(
    INSERT INTO "payroll_runs" ("id","organizationId","status","scheduledDate","totalAmount",
                                "currency","createdBy","createdAt","updatedAt","deletedAt") VALUES
      ('40000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000001',
       'COMPLETED', '2025-01-31', 100, 'USDC', '10000000-0000-4000-8000-000000000001',
       '2025-01-20', '2025-01-31', NULL),
      ('40000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001',
       'PROCESSING', '2025-02-28', 0, 'SOL', 'x', '2025-02-20', '2025-02-28', NULL),
      ('40000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000001',
       'DRAFT', '2025-03-31', 0, 'USDC', 'x', '2025-03-20', '2025-03-20', '2025-03-21');
    INSERT INTO "payroll_items" ("id","payrollRunId","employeeId","amount","status","createdAt",
                                 "updatedAt") VALUES
      ('50000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000001', 60.5, 'COMPLETED', '2025-01-20', '2025-01-20'),
      ('50000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000006', 39.1234567, 'COMPLETED', '2025-01-20',
       '2025-01-20'),
      ('50000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000003', 10, 'COMPLETED', '2025-01-20', '2025-01-20'))sql");
  Sql(legacy.url("notification")).exec(R"sql(
    INSERT INTO "notifications" ("id","userId","type","recipient","subject","content","metadata",
                                 "status","createdAt","updatedAt") VALUES
      ('60000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'EMAIL',
       'ann@example.com', 'Payslip', 'Ready', NULL, 'READ', '2025-02-01', '2025-02-02'),
      ('60000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000005', 'SMS',
       '+100', 'Payslip', 'Ready', '{"a":1}', 'SENT', '2025-02-01', '2025-02-01'))sql");
  const auto target = fresh_database("legacy_awkward");
  const auto imported = import_into(target, legacy, /*dry_run=*/true);
  INFO(imported.output);
  CHECK(line_of(imported.output, "org.organizations") == "org.organizations 4 2 0 2 ok");
  CHECK(line_of(imported.output, "auth.users") == "auth.users 6 3 0 3 ok");
  // Each skipped row with its id and reason; each written one that needed a word.
  CHECK_THAT(imported.output, Contains("00000000-0000-4000-8000-000000000002") &&
                                  Contains("duplicate_name") && Contains("not-a-uuid") &&
                                  Contains("invalid_id"));
  CHECK_THAT(imported.output,
             Contains("10000000-0000-4000-8000-000000000002") && Contains("duplicate_email"));
  CHECK_THAT(imported.output,
             Contains("10000000-0000-4000-8000-000000000005") && Contains("orphan"));
  // A user of an organisation skipped as a duplicate is an orphan too.
  CHECK(line_of(imported.output, "auth.users 10000000-0000-4000-8000-000000000006") ==
        "auth.users 10000000-0000-4000-8000-000000000006 orphan");
  CHECK_THAT(imported.output, Contains("unknown role 'manager': imported as EMPLOYEE") &&
                                  Contains("unknown role '': imported as EMPLOYEE") &&
                                  Contains("soft-deleted: imported SUSPENDED"));
  CHECK(line_of(imported.output, "employee.employees") == "employee.employees 6 3 0 3 ok");
  CHECK(line_of(imported.output, "employee.employees 20000000-0000-4000-8000-000000000003") ==
        "employee.employees 20000000-0000-4000-8000-000000000003 inexact_amount");
  CHECK(line_of(imported.output, "employee.employees 20000000-0000-4000-8000-000000000004") ==
        "employee.employees 20000000-0000-4000-8000-000000000004 orphan");
  CHECK(line_of(imported.output, "employee.employees 20000000-0000-4000-8000-000000000005") ==
        "employee.employees 20000000-0000-4000-8000-000000000005 unknown_currency");
  CHECK_THAT(imported.output, Contains("its user was not imported: no portal account") &&
                                  Contains("soft-deleted: imported TERMINATED") &&
                                  Contains("not a Solana address: dropped"));
  CHECK(line_of(imported.output, "wallet.wallets") == "wallet.wallets 4 1 0 3 ok");
  CHECK(line_of(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000002") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000002 duplicate_wallet");
  CHECK(line_of(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000003") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000003 deleted");
  CHECK(line_of(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000004") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000004 orphan");
  // The inexact salary is counted apart, not rounded: the totals still balance.
  CHECK(line_of(imported.output, "employee.employees salary USDC:") ==
        "employee.employees salary USDC: read 9007310255.3644497 written 9007309255.240993 (in "
        "the new schema 9007309255.240993) present 0 skipped 1000.1234567 ok");
  // Runs: a deleted one is skipped, a PROCESSING one is FAILED; the items are the truth.
  CHECK(line_of(imported.output, "payroll.payroll_runs") == "payroll.payroll_runs 3 2 0 1 ok");
  CHECK(line_of(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000003") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000003 deleted");
  CHECK(line_of(imported.output, "payroll.payroll_items") == "payroll.payroll_items 3 1 0 2 ok");
  CHECK(line_of(imported.output, "payroll.payroll_items 50000000-0000-4000-8000-000000000002") ==
        "payroll.payroll_items 50000000-0000-4000-8000-000000000002 inexact_amount");
  CHECK(line_of(imported.output, "payroll.payroll_items 50000000-0000-4000-8000-000000000003") ==
        "payroll.payroll_items 50000000-0000-4000-8000-000000000003 orphan");
  CHECK(line_of(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000001") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000001 its items add up to 60.5, its "
        "legacy total was 100: the items are the truth");
  CHECK(line_of(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000002") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000002 was PROCESSING in the legacy "
        "system: imported FAILED");
  CHECK(line_of(imported.output, "payroll.payroll_items amount USDC:") ==
        "payroll.payroll_items amount USDC: read 109.6234567 written 60.5 (in the new schema 60.5) "
        "present 0 skipped 49.1234567 ok");
  // A notice of a user not imported (the orphan) is an orphan too.
  CHECK(line_of(imported.output, "notification.notifications") ==
        "notification.notifications 2 1 0 1 ok");
  CHECK(
      line_of(imported.output, "notification.notifications 60000000-0000-4000-8000-000000000002") ==
      "notification.notifications 60000000-0000-4000-8000-000000000002 orphan");
  CHECK(imported.exit_code == 1);  // the other tables are not converted yet
}

TEST_CASE("legacy import: one import at a time, and a template must name {db}", "[e2e]") {
  LegacyDatabases legacy("lock", /*sample=*/false);
  const auto target = fresh_database("legacy_lock");
  // Another import holds the lock (its key is "LEGACYMI" as a bigint).
  Sql other(target);
  other.exec("SELECT pg_advisory_lock(5495877265903930697)");
  const auto refused = import_into(target, legacy);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Contains("another import is running: nothing was done"));
  other.exec("SELECT pg_advisory_unlock(5495877265903930697)");
  // Released: the (empty) legacy set is read.
  CHECK(line_of(import_into(target, legacy, true).output, "org.organizations") ==
        "org.organizations 0 0 0 0 ok");

  const auto no_placeholder = run_payrollx(
      {"import-legacy", "--source-template", with_database(admin_url(), "payrollx_auth")},
      {{"PAYROLLX_DATABASE_URL", target}});
  CHECK(no_placeholder.exit_code == 1);
  CHECK_THAT(no_placeholder.output, Contains("--source-template must contain {db}"));
  const auto unreachable = run_payrollx(
      {"import-legacy", "--source-template", with_database(admin_url(), "no_such_{db}")},
      {{"PAYROLLX_DATABASE_URL", target}});
  CHECK(unreachable.exit_code == 1);
  CHECK_THAT(unreachable.output, Contains("nothing was written"));
}
