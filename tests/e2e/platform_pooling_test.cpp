// PAYROLLX_DB_TRANSACTION_POOLING=true against PostgreSQL itself: no startup options, no named
// prepared statements, no shared pipeline, and the session settings taken from the role's
// defaults, which migrate sets. (tests/ha/pgbouncer runs the same behind a real PgBouncer.)
#include <catch2/catch.hpp>

#include "ledger_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

constexpr auto k_secret = "pooling-test-secret-of-at-least-32-bytes";

}  // namespace

TEST_CASE("platform: behind a pooler the server needs the role's session defaults, then serves") {
  const auto database = fresh_database("pooling");
  const std::vector<std::pair<std::string, std::string>> pooled{
      {"PAYROLLX_DATABASE_URL", database},
      {"PAYROLLX_MIGRATE_DATABASE_URL", database},
      {"PAYROLLX_DB_TRANSACTION_POOLING", "true"},
      {"PAYROLLX_JWT_SECRET", k_secret}};

  // The template's migrations are there, but not the role's defaults: refused, saying why.
  auto refused = run_payrollx({"serve", "--no-migrate"}, pooled);
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("db.session_defaults_wrong") != std::string::npos);
  CHECK(refused.output.find("ALTER ROLE") != std::string::npos);

  auto migrated = run_payrollx({"migrate"}, pooled);
  REQUIRE(migrated.exit_code == 0);
  CHECK(migrated.output.find("db.pooled_role_defaults_set") != std::string::npos);

  ServerSettings settings{.database_url = database,
                          .env = {pooled.begin() + 1, pooled.end()},
                          .args = {"--no-migrate"}};
  ServerProcess server(settings);
  HttpClient http(server.port());
  auto signed_up = expect(
      http.post("/api/v1/auth/signup", json::object{{"email", "pooled@example.com"},
                                                    {"password", "correct horse battery staple"},
                                                    {"firstName", "Pia"},
                                                    {"lastName", "Pool"},
                                                    {"organizationName", "Pooled Ltd"}}),
      201);
  const auto token = std::string(signed_up.at("accessToken").as_string());
  auto treasury = treasury_of(http, token);
  expect(deposit(http, token, treasury, 90'000), 201);
  // A unique violation still maps to its answer (the one wallet per owner and currency).
  CHECK(http.post("/api/v1/wallets",
                  json::object{{"ownerType", "ORGANIZATION"}, {"currency", "USD"}}, token)
            .status == 409);
  CHECK(balance_of(http, token, treasury) == 90'000);
  CHECK(http.get("/api/v1/auth/me", token).status == 200);
  // Timestamps still decode as UTC ISO text through the role's defaults.
  auto listed = expect(http.get("/api/v1/transactions", token), 200);
  CHECK(std::string(listed.at("data").as_array().at(0).at("createdAt").as_string()).ends_with("Z"));
  CHECK(reconciliation(http, token).at("ok").as_bool());
}
