// payrollx import-legacy against real legacy databases (tests/legacy): the sample data set and
// one the test writes with the awkward cases of the rules, both as dry runs (the report, and
// nothing written); legacy_import_history_test commits one.
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

}  // namespace

TEST_CASE("legacy import: the sample set converts and balances", "[e2e]") {
  LegacyDatabases legacy("sample", /*sample=*/true);
  const auto target = fresh_database("legacy_sample");
  const auto imported = import_into(target, legacy, /*dry_run=*/true);
  INFO(imported.output);
  CHECK(report_line(imported.output, "org.organizations") == "org.organizations 3 3 0 0 ok");
  CHECK(report_line(imported.output, "employee.organizations") ==
        "employee.organizations 3 0 0 3 ok");
  CHECK(report_line(imported.output, "auth.users") == "auth.users 60 60 0 0 ok");
  CHECK(report_line(imported.output, "auth.refresh_tokens") == "auth.refresh_tokens 10 0 0 10 ok");
  CHECK(report_line(imported.output, "employee.employees") == "employee.employees 57 57 0 0 ok");
  CHECK(report_line(imported.output, "wallet.wallets") == "wallet.wallets 57 57 0 0 ok");
  CHECK(report_line(imported.output, "payroll.payroll_runs") == "payroll.payroll_runs 6 6 0 0 ok");
  CHECK(report_line(imported.output, "payroll.payroll_items") ==
        "payroll.payroll_items 112 112 0 0 ok");
  CHECK(report_line(imported.output, "transaction.transactions") ==
        "transaction.transactions 56 56 0 0 ok");
  CHECK(report_line(imported.output, "transaction.transactions amount USDC:") ==
        "transaction.transactions amount USDC: read 225603 written 225603 (in the new schema "
        "225603) present 0 skipped 0 ok");
  CHECK(report_line(imported.output, "compliance.compliance_reports") ==
        "compliance.compliance_reports 1 1 0 0 ok");
  CHECK(report_line(imported.output, "auth.audit_logs") == "auth.audit_logs 20 20 0 0 ok");
  CHECK(report_line(imported.output, "notification.notifications") ==
        "notification.notifications 30 30 0 0 ok");
  // Salaries: the sample's totals per token, exact, in and out.
  CHECK(report_line(imported.output, "employee.employees salary USDC:") ==
        "employee.employees salary USDC: read 2907270.75 written 2907270.75 (in the new schema "
        "2907270.75) present 0 skipped 0 ok");
  CHECK(report_line(imported.output, "employee.employees salary SOL:") ==
        "employee.employees salary SOL: read 1482142.5 written 1482142.5 (in the new schema "
        "1482142.5) present 0 skipped 0 ok");
  CHECK(report_line(imported.output, "compliance.audit_logs") ==
        "compliance.audit_logs 25 25 0 0 ok");
  CHECK_THAT(imported.output, Contains("dry run: it balances, and nothing was written"));
  CHECK(imported.exit_code == 0);
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
  Sql(legacy.url("transaction")).exec(R"sql(
    INSERT INTO "transactions" ("id","payrollRunId","employeeId","type","amount","signature",
                                "status","createdAt","updatedAt","completedAt") VALUES
      -- paid: its item points at it
      ('70000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000001', 'PAYROLL', 60.5, 'sigA', 'COMPLETED',
       '2025-01-31', '2025-01-31', '2025-01-31'),
      -- a refund, still PROCESSING when the legacy system stopped
      ('70000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000001', 'REFUND', 5, NULL, 'PROCESSING',
       '2025-02-01', '2025-02-01', NULL),
      -- more decimals than USDC has
      ('70000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000001', 'BONUS', 1.0000001, 'sigC', 'COMPLETED',
       '2025-02-01', '2025-02-01', '2025-02-01'),
      -- of a run that was skipped (deleted), and of an employee that was skipped
      ('70000000-0000-4000-8000-000000000004', '40000000-0000-4000-8000-000000000003',
       '20000000-0000-4000-8000-000000000001', 'PAYROLL', 7, 'sigD', 'COMPLETED',
       '2025-03-31', '2025-03-31', '2025-03-31'),
      ('70000000-0000-4000-8000-000000000005', '40000000-0000-4000-8000-000000000001',
       '20000000-0000-4000-8000-000000000003', 'PAYROLL', 10, 'sigE', 'COMPLETED',
       '2025-01-31', '2025-01-31', '2025-01-31'))sql");
  Sql(legacy.url("compliance")).exec(R"sql(
    INSERT INTO "compliance_reports" ("id","name","format","status","startDate","endDate",
                                      "createdBy","createdAt","updatedAt") VALUES
      ('80000000-0000-4000-8000-000000000001', 'Q1', 'PDF', 'GENERATING', '2025-01-01',
       '2025-03-31', '10000000-0000-4000-8000-000000000002', '2025-04-01', '2025-04-01'),
      ('80000000-0000-4000-8000-000000000002', 'Nobody''s', 'CSV', 'COMPLETED', '2025-01-01',
       '2025-03-31', '10000000-0000-4000-8000-000000000009', '2025-04-01', '2025-04-01'),
      ('80000000-0000-4000-8000-000000000003', 'Backwards', 'CSV', 'COMPLETED', '2025-03-31',
       '2025-01-01', '10000000-0000-4000-8000-000000000001', '2025-04-01', '2025-04-01');
    INSERT INTO "audit_logs" ("id","userId","action","entityType","entityId","details",
                              "createdAt") VALUES
      -- of the user skipped as a duplicate email: imported as written
      ('90000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002',
       'PAYROLL_EXECUTED', 'PayrollRun', 'run-1', '{"severity":"LOW"}', '2025-02-01'),
      -- of a user that never existed
      ('90000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000009',
       'LOGIN', 'User', 'x', NULL, '2025-02-01'),
      -- the id of an auth row too
      ('90000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001',
       'LOGIN', 'User', 'x', NULL, '2025-02-01'))sql");
  Sql(legacy.url("auth")).exec(R"sql(
    INSERT INTO "audit_logs" ("id","userId","action","entityType","entityId","details",
                              "createdAt") VALUES
      ('90000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000001',
       'LOGIN', 'User', '10000000-0000-4000-8000-000000000001', 'plain text', '2025-01-15'))sql");
  const auto target = fresh_database("legacy_awkward");
  const auto imported = import_into(target, legacy, /*dry_run=*/true);
  INFO(imported.output);
  CHECK(report_line(imported.output, "org.organizations") == "org.organizations 4 2 0 2 ok");
  CHECK(report_line(imported.output, "auth.users") == "auth.users 6 3 0 3 ok");
  // Each skipped row with its id and reason; each written one that needed a word.
  CHECK_THAT(imported.output, Contains("00000000-0000-4000-8000-000000000002") &&
                                  Contains("duplicate_name") && Contains("not-a-uuid") &&
                                  Contains("invalid_id"));
  CHECK_THAT(imported.output,
             Contains("10000000-0000-4000-8000-000000000002") && Contains("duplicate_email"));
  CHECK_THAT(imported.output,
             Contains("10000000-0000-4000-8000-000000000005") && Contains("orphan"));
  // A user of an organisation skipped as a duplicate is an orphan too.
  CHECK(report_line(imported.output, "auth.users 10000000-0000-4000-8000-000000000006") ==
        "auth.users 10000000-0000-4000-8000-000000000006 orphan");
  CHECK_THAT(imported.output, Contains("unknown role 'manager': imported as EMPLOYEE") &&
                                  Contains("unknown role '': imported as EMPLOYEE") &&
                                  Contains("soft-deleted: imported SUSPENDED"));
  CHECK(report_line(imported.output, "employee.employees") == "employee.employees 6 3 0 3 ok");
  CHECK(report_line(imported.output, "employee.employees 20000000-0000-4000-8000-000000000003") ==
        "employee.employees 20000000-0000-4000-8000-000000000003 inexact_amount");
  CHECK(report_line(imported.output, "employee.employees 20000000-0000-4000-8000-000000000004") ==
        "employee.employees 20000000-0000-4000-8000-000000000004 orphan");
  CHECK(report_line(imported.output, "employee.employees 20000000-0000-4000-8000-000000000005") ==
        "employee.employees 20000000-0000-4000-8000-000000000005 unknown_currency");
  CHECK_THAT(imported.output, Contains("its user was not imported: no portal account") &&
                                  Contains("soft-deleted: imported TERMINATED") &&
                                  Contains("not a Solana address: dropped"));
  CHECK(report_line(imported.output, "wallet.wallets") == "wallet.wallets 4 1 0 3 ok");
  CHECK(report_line(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000002") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000002 duplicate_wallet");
  CHECK(report_line(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000003") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000003 deleted");
  CHECK(report_line(imported.output, "wallet.wallets 30000000-0000-4000-8000-000000000004") ==
        "wallet.wallets 30000000-0000-4000-8000-000000000004 orphan");
  // The inexact salary is counted apart, not rounded: the totals still balance.
  CHECK(report_line(imported.output, "employee.employees salary USDC:") ==
        "employee.employees salary USDC: read 9007310255.3644497 written 9007309255.240993 (in "
        "the new schema 9007309255.240993) present 0 skipped 1000.1234567 ok");
  // Runs: a deleted one is skipped, a PROCESSING one is FAILED; the items are the truth.
  CHECK(report_line(imported.output, "payroll.payroll_runs") == "payroll.payroll_runs 3 2 0 1 ok");
  CHECK(report_line(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000003") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000003 deleted");
  CHECK(report_line(imported.output, "payroll.payroll_items") ==
        "payroll.payroll_items 3 1 0 2 ok");
  CHECK(
      report_line(imported.output, "payroll.payroll_items 50000000-0000-4000-8000-000000000002") ==
      "payroll.payroll_items 50000000-0000-4000-8000-000000000002 inexact_amount");
  CHECK(
      report_line(imported.output, "payroll.payroll_items 50000000-0000-4000-8000-000000000003") ==
      "payroll.payroll_items 50000000-0000-4000-8000-000000000003 orphan");
  CHECK(report_line(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000001") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000001 its items add up to 60.5, its "
        "legacy total was 100: the items are the truth");
  CHECK(report_line(imported.output, "payroll.payroll_runs 40000000-0000-4000-8000-000000000002") ==
        "payroll.payroll_runs 40000000-0000-4000-8000-000000000002 was PROCESSING in the legacy "
        "system: imported FAILED");
  CHECK(report_line(imported.output, "payroll.payroll_items amount USDC:") ==
        "payroll.payroll_items amount USDC: read 109.6234567 written 60.5 (in the new schema 60.5) "
        "present 0 skipped 49.1234567 ok");
  // A notice of a user not imported (the orphan) is an orphan too.
  CHECK(report_line(imported.output, "notification.notifications") ==
        "notification.notifications 2 1 0 1 ok");
  CHECK(report_line(imported.output,
                    "notification.notifications 60000000-0000-4000-8000-000000000002") ==
        "notification.notifications 60000000-0000-4000-8000-000000000002 orphan");
  // Transactions: the refund is an ADJUSTMENT, FAILED (it never finished); orphans of a skipped
  // run or employee; the inexact one counted apart.
  CHECK(report_line(imported.output, "transaction.transactions") ==
        "transaction.transactions 5 2 0 3 ok");
  CHECK(report_line(imported.output,
                    "transaction.transactions 70000000-0000-4000-8000-000000000003") ==
        "transaction.transactions 70000000-0000-4000-8000-000000000003 inexact_amount");
  CHECK(report_line(imported.output,
                    "transaction.transactions 70000000-0000-4000-8000-000000000004") ==
        "transaction.transactions 70000000-0000-4000-8000-000000000004 orphan");
  CHECK(report_line(imported.output,
                    "transaction.transactions 70000000-0000-4000-8000-000000000005") ==
        "transaction.transactions 70000000-0000-4000-8000-000000000005 orphan");
  CHECK_THAT(imported.output, Contains("was PROCESSING in the legacy system: imported FAILED") &&
                                  Contains("a legacy REFUND: imported as an ADJUSTMENT"));
  CHECK(report_line(imported.output, "transaction.transactions amount USDC:") ==
        "transaction.transactions amount USDC: read 83.5000001 written 65.5 (in the new schema "
        "65.5) present 0 skipped 18.0000001 ok");
  // Reports: their creator's organisation, even a creator skipped as a duplicate.
  CHECK(report_line(imported.output, "compliance.compliance_reports") ==
        "compliance.compliance_reports 3 1 0 2 ok");
  CHECK(report_line(imported.output,
                    "compliance.compliance_reports 80000000-0000-4000-8000-000000000002") ==
        "compliance.compliance_reports 80000000-0000-4000-8000-000000000002 orphan");
  CHECK(report_line(imported.output,
                    "compliance.compliance_reports 80000000-0000-4000-8000-000000000003") ==
        "compliance.compliance_reports 80000000-0000-4000-8000-000000000003 invalid_period");
  // Audit rows: a skipped user's are imported; an id both logs use is written once.
  CHECK(report_line(imported.output, "auth.audit_logs") == "auth.audit_logs 1 1 0 0 ok");
  CHECK(report_line(imported.output, "compliance.audit_logs") ==
        "compliance.audit_logs 3 1 0 2 ok");
  CHECK(
      report_line(imported.output, "compliance.audit_logs 90000000-0000-4000-8000-000000000002") ==
      "compliance.audit_logs 90000000-0000-4000-8000-000000000002 orphan");
  CHECK(
      report_line(imported.output, "compliance.audit_logs 90000000-0000-4000-8000-000000000003") ==
      "compliance.audit_logs 90000000-0000-4000-8000-000000000003 duplicate_id");
  CHECK(imported.exit_code == 0);
  CHECK_THAT(imported.output, Contains("dry run: it balances, and nothing was written"));
  Sql sql(target);
  CHECK(sql.count("SELECT count(*) FROM transaction.transactions") == 0);
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_logs") == 0);
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
  CHECK(report_line(import_into(target, legacy, true).output, "org.organizations") ==
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
