// The server as deployed (README, "Database roles"): connected as the runtime role, which
// may not alter the schemas nor rewrite history, it runs every money flow — deposits,
// transfers, a withdrawal settled, a payroll run executed and reversed — and its books
// reconcile and its audit chain verifies. Connected as an owner, it warns at start.
#include "payroll_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::payroll_e2e;
using ledger::balance_of;
using ledger::deposit;
using ledger::expect;

constexpr std::string_view k_owner_warning = "db.server_is_schema_owner";

}  // namespace

TEST_CASE("operations: as the runtime role the server runs every money flow", "[e2e]") {
  TestApp app("roles_runtime", unthrottled(), ServerRole::runtime);
  CHECK(app.server().output().find(k_owner_warning) == std::string::npos);
  auto org = organisation(app, "roles");
  auto& http = app.http();
  expect(deposit(http, org.admin.access_token, org.treasury, 50'000'000), 201);
  auto ada = hire(app, org, "ada");
  auto bob = hire(app, org, "bob");
  expect(ledger::transfer(http, org.admin.access_token, org.treasury, ada.wallet_id, 10'000), 201);
  auto withdrawal =
      expect(ledger::withdraw(http, org.admin.access_token, ada.wallet_id, 4'000), 201);
  expect(ledger::settle(http, org.admin.access_token, text_at(withdrawal, "id"), "complete",
                        json::object{{"externalReference", "solana:tx-1"}}),
         200);
  const auto schedule = monthly_schedule(app, org);
  auto run = draft_regular(app, org, schedule);
  const auto run_id = text_at(run, "id");
  expect(act(app, org.finance.access_token, run_id, "approve"), 200);
  expect(execute(http, org.finance.access_token, run_id), 200);
  CHECK(balance_of(http, org.admin.access_token, bob.wallet_id) > 0);
  expect(reverse(http, org.finance.access_token, run_id), 200);
  CHECK(balance_of(http, org.admin.access_token, bob.wallet_id) == 0);

  CHECK(ledger::reconciliation(http, org.admin.access_token).at("ok").as_bool());
  CHECK(expect(http.get("/api/v1/audit-logs/verify", org.admin.access_token), 200)
            .at("ok")
            .as_bool());
  // All of it went through the runtime role's connections.
  CHECK(app.sql().count("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND usename LIKE 'payrollx\\_runtime\\_%'") > 0);
  CHECK(app.sql().count("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND usename = 'postgres' AND backend_type = "
                        "'client backend' AND pid <> pg_backend_pid()") == 0);
}

TEST_CASE("operations: a server connected as the owner warns at start", "[e2e]") {
  TestApp app("roles_owner");
  CHECK(app.server().output().find(k_owner_warning) != std::string::npos);
}
