// The sample legacy set imported for real: committed once (a second import writes nothing), and
// served afterwards as history: legacy users sign in with their bcrypt passwords, the imported
// transactions have no wallet entries yet reconciliation is ok, the legacy audit rows sit in the
// organisations' hash chains in time order and the chains verify, and nothing imported can be
// reversed.
#include <catch2/catch.hpp>
#include <string>

#include "auth_helpers.hpp"
#include "eventually.hpp"
#include "ledger_helpers.hpp"
#include "legacy_databases.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;
using Catch::Matchers::Contains;

CommandResult import_into(const std::string& target, const LegacyDatabases& legacy) {
  return run_payrollx({"import-legacy", "--source-template", legacy.source_template()},
                      {{"PAYROLLX_DATABASE_URL", target}}, std::chrono::seconds(120));
}

// Rows of every table the import writes to, summed: equal before and after an import that
// writes nothing.
constexpr auto k_rows_written = R"sql(
  SELECT (SELECT count(*) FROM organization.organizations) + (SELECT count(*) FROM auth.users)
       + (SELECT count(*) FROM employee.employees) + (SELECT count(*) FROM wallet.wallets)
       + (SELECT count(*) FROM payroll.payroll_runs) + (SELECT count(*) FROM payroll.payroll_items)
       + (SELECT count(*) FROM transaction.transactions)
       + (SELECT count(*) FROM transaction.transaction_logs)
       + (SELECT count(*) FROM notification.notifications)
       + (SELECT count(*) FROM compliance.reports) + (SELECT count(*) FROM compliance.audit_logs))sql";

}  // namespace

TEST_CASE("legacy import: the sample set commits once and serves as history", "[e2e]") {
  LegacyDatabases legacy("history", /*sample=*/true);
  // A FINANCE_MANAGER (who may reverse) and a bonus, beside the sample's payroll payments.
  Sql(legacy.url("auth")).exec(R"sql(
    INSERT INTO "users" ("id","email","password","firstName","lastName","role","organizationId",
                         "createdAt","updatedAt")
    SELECT md5('finance')::uuid::text, 'finance@legacy.example', "password", 'Fin', 'Ance',
      'FINANCE_MANAGER', "organizationId", '2025-01-01', '2025-01-01'
    FROM "users" WHERE "email" = 'user1@legacy.example')sql");
  Sql(legacy.url("transaction")).exec(R"sql(
    INSERT INTO "transactions" ("id","payrollRunId","employeeId","type","amount","signature",
                                "status","createdAt","updatedAt","completedAt")
    VALUES (md5('bonus')::uuid::text, md5('run1')::uuid::text, md5('emp1')::uuid::text, 'BONUS',
            250.5, 'sigbonus', 'COMPLETED', '2025-02-01', '2025-02-01', '2025-02-01'))sql");
  const auto target = fresh_database("legacy_history");

  const auto first = import_into(target, legacy);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.output, Contains("imported and committed"));
  Sql sql(target);
  CHECK(sql.count("SELECT count(*) FROM transaction.transactions WHERE source = 'LEGACY'") == 57);
  CHECK(sql.count("SELECT count(*) FROM transaction.transactions WHERE external_reference "
                  "LIKE 'sig%' AND from_wallet_id IN (SELECT id FROM wallet.wallets "
                  "WHERE owner_type = 'EXTERNAL')") == 57);
  CHECK(sql.count("SELECT count(*) FROM wallet.entries") == 0);
  // The failed payment (employee 10 of run 1) leaves its item without a transaction.
  CHECK(sql.count("SELECT count(*) FROM payroll.payroll_items WHERE status = 'PAID' "
                  "AND transaction_id IS NOT NULL") == 55);
  CHECK(sql.count("SELECT count(*) FROM payroll.payroll_items i JOIN transaction.transactions t "
                  "ON t.id = i.transaction_id WHERE t.amount <> i.net OR t.status <> 'COMPLETED'"
                  " OR t.type <> 'PAYROLL'") == 0);
  CHECK(sql.count("SELECT count(*) FROM compliance.reports WHERE kind = 'LEGACY' AND "
                  "status = 'READY' AND legacy->>'name' = 'Q1 audit' AND NOT EXISTS (SELECT 1 FROM "
                  "compliance.report_chunks)") == 1);
  // Both legacy audit logs, in each organisation's chain, in time order, marked imported.
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_logs WHERE imported AND "
                  "request_id LIKE 'legacy:%'") == 45);
  // Queued for the chains in time order; a running server's sealer chains them.
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_unsealed q JOIN compliance.audit_logs e "
                  "ON e.organization_id = q.organization_id AND e.id = q.entry_id "
                  "WHERE e.imported") == 45);
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_unsealed a JOIN compliance.audit_unsealed "
                  "b ON b.organization_id = a.organization_id AND b.position > a.position "
                  "JOIN compliance.audit_logs ea ON ea.organization_id = a.organization_id "
                  "AND ea.id = a.entry_id JOIN compliance.audit_logs eb ON eb.organization_id = "
                  "b.organization_id AND eb.id = b.entry_id WHERE eb.created_at < ea.created_at") ==
        0);
  const auto rows = sql.count(k_rows_written);
  const auto second = import_into(target, legacy);
  INFO(second.output);
  CHECK(second.exit_code == 0);
  CHECK_THAT(second.output, Contains("nothing new"));
  CHECK(report_line(second.output, "transaction.transactions") ==
        "transaction.transactions 57 0 57 0 ok");
  CHECK(report_line(second.output, "compliance.audit_logs") ==
        "compliance.audit_logs 25 0 25 0 ok");
  CHECK(sql.count(k_rows_written) == rows);

  ServerProcess server(ServerSettings{.database_url = target});
  HttpClient client(server.port());
  auto signed_in = auth_e2e::login(client, "finance@legacy.example", "legacy-password-1");
  REQUIRE(signed_in.status == 200);
  const auto token = auth_e2e::text_at(signed_in.json(), "accessToken");
  auto books = reconciliation(client, token);
  INFO(json::serialize(books));
  CHECK(books.at("ok").as_bool());
  CHECK(books.at("transactions").as_int64() ==
        20);  // org 1: 19 payments (one failed) and the bonus
  auto admin = auth_e2e::login(client, "user1@legacy.example", "legacy-password-1");
  REQUIRE(admin.status == 200);
  auto verified = expect(
      client.get("/api/v1/audit-logs/verify", auth_e2e::text_at(admin.json(), "accessToken")), 200);
  CHECK(verified.at("ok").as_bool());
  CHECK(verified.at("checked").as_int64() >=
        sql.count("SELECT count(*) FROM compliance.audit_logs WHERE imported AND "
                  "organization_id = md5('org1')::uuid"));
  // Sealed (the sweep, or verify itself) in that order: each chain in time order.
  CHECK(
      eventually([&] { return sql.count("SELECT count(*) FROM compliance.audit_unsealed") == 0; }));
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_seals a JOIN compliance.audit_seals b "
                  "ON b.organization_id = a.organization_id AND b.seq = a.seq + 1 "
                  "JOIN compliance.audit_logs ea ON ea.organization_id = a.organization_id "
                  "AND ea.id = a.entry_id JOIN compliance.audit_logs eb ON eb.organization_id = "
                  "b.organization_id AND eb.id = b.entry_id "
                  "WHERE eb.created_at < ea.created_at OR b.prev_hash <> a.hash") == 0);
  CHECK(sql.count("SELECT count(*) FROM compliance.audit_chain_heads h WHERE h.seq <> "
                  "(SELECT max(seq) FROM compliance.audit_seals a "
                  "WHERE a.organization_id = h.organization_id)") == 0);

  const auto run1 = *sql.scalar("SELECT md5('run1')::uuid::text");
  auto payments = expect(client.get("/api/v1/transactions?payrollRunId=" + run1, token), 200);
  for (const auto& payment : payments.at("data").as_array())
    CHECK(payment.at("source").as_string() == "LEGACY");
  const auto run_reversal = post_money(client, "/api/v1/payroll/runs/" + run1 + "/reverse",
                                       json::object{{"reason", "history"}}, token);
  CHECK(run_reversal.status == 409);
  CHECK_THAT(run_reversal.body, Contains("imported legacy run"));
  const auto bonus = *sql.scalar("SELECT md5('bonus')::uuid::text");
  const auto bonus_reversal = post_money(client, "/api/v1/transactions/" + bonus + "/reverse",
                                         json::object{{"reason", "history"}}, token);
  CHECK(bonus_reversal.status == 409);
  CHECK_THAT(bonus_reversal.body, Contains("imported legacy transaction"));
  CHECK(sql.count(k_rows_written) == rows);
  CHECK(reconciliation(client, token).at("ok").as_bool());
}
