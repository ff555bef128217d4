// Money-specific bad input on the ledger routes (the generic body sweep is bad_input_test.cpp):
// amounts that are zero, negative, fractional or beyond int64, unknown currencies, wallets that
// cannot take part. Each is a 4xx problem and changes nothing.
#include "ledger_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

long long money_rows(Sql& sql) {
  return sql.count(
      "SELECT (SELECT count(*) FROM transaction.transactions) + "
      "(SELECT count(*) FROM wallet.entries) + (SELECT count(*) FROM wallet.holds) + "
      "(SELECT count(*) FROM core.idempotency_keys)");
}

}  // namespace

TEST_CASE("ledger bad input: amounts must be positive integers within int64") {
  TestApp app("ledger-bad-amounts");
  auto admin = app.signup("amounts");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto payee = wallet_of_employee(hire(app.http(), admin.access_token, "amounts-payee"));
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  const auto before = money_rows(app.sql());

  // Raw JSON: 1.5 and 1e2 are numbers a JSON library may turn into doubles; the API refuses them.
  for (const std::string amount :
       {"0", "-1", "1.5", "1e2", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999999", "\"100\"", "null", "true"}) {
    INFO("amount " << amount);
    const Headers key{{"Idempotency-Key", new_key()}};
    auto deposit_body = R"({"amount":)" + amount + R"(,"reference":"r"})";
    auto refused = app.http().request("POST", "/api/v1/wallets/" + treasury + "/deposits",
                                      deposit_body, key, admin.access_token);
    CHECK(problem_fields(refused, 400, "validation_failed").count("amount") == 1);
    auto transfer_body =
        fmt::format(R"({{"fromWalletId":"{}","toWalletId":"{}","amount":{},"type":"TRANSFER"}})",
                    treasury, payee, amount);
    auto refused_transfer =
        app.http().request("POST", "/api/v1/transfers", transfer_body,
                           {{"Idempotency-Key", new_key()}}, admin.access_token);
    CHECK(problem_fields(refused_transfer, 400, "validation_failed").count("amount") == 1);
    auto withdrawal_body =
        fmt::format(R"({{"amount":{},"destinationAddress":"{}"}})", amount, k_destination);
    auto refused_withdrawal =
        app.http().request("POST", "/api/v1/wallets/" + treasury + "/withdrawals", withdrawal_body,
                           {{"Idempotency-Key", new_key()}}, admin.access_token);
    CHECK(problem_fields(refused_withdrawal, 400, "validation_failed").count("amount") == 1);
  }
  CHECK(money_rows(app.sql()) == before);

  SECTION("the largest int64 is a valid amount that no wallet holds") {
    auto huge = transfer(app.http(), admin.access_token, treasury, payee, INT64_MAX);
    CHECK(expect(huge, 409).at("code").as_string() == "insufficient_funds");
  }
  SECTION("a deposit that would overflow a balance is refused, not wrapped") {
    // The clearing wallet is at -1000 already: it reaches -(INT64_MAX - 1000), still a bigint.
    expect(deposit(app.http(), admin.access_token, payee, INT64_MAX - 2000), 201);
    const auto rows = money_rows(app.sql());
    auto overflow = deposit(app.http(), admin.access_token, payee, 3000);
    INFO(overflow.body);
    CHECK(overflow.status >= 400);
    CHECK(overflow.status < 500);
    CHECK(money_rows(app.sql()) == rows + 1);  // only the key's stored refusal
    CHECK(balance_of(app.http(), admin.access_token, payee) == INT64_MAX - 2000);
  }
}

TEST_CASE("ledger bad input: currencies and wallets that cannot take part") {
  TestApp app("ledger-bad-wallets");
  auto admin = app.signup("wallets");
  auto& http = app.http();
  auto treasury = treasury_of(http, admin.access_token);

  auto unknown =
      http.post("/api/v1/wallets", json::object{{"ownerType", "ORGANIZATION"}, {"currency", "XYZ"}},
                admin.access_token);
  CHECK(problem_fields(unknown, 400, "validation_failed").count("currency") == 1);
  auto external =
      http.post("/api/v1/wallets", json::object{{"ownerType", "EXTERNAL"}, {"currency", "EUR"}},
                admin.access_token);
  CHECK(problem_fields(external, 400, "validation_failed").count("ownerType") == 1);
  auto no_employee =
      http.post("/api/v1/wallets", json::object{{"ownerType", "EMPLOYEE"}, {"currency", "EUR"}},
                admin.access_token);
  CHECK(problem_fields(no_employee, 400, "validation_failed").count("employeeId") == 1);
  auto unknown_employee =
      http.post("/api/v1/wallets",
                json::object{{"ownerType", "EMPLOYEE"},
                             {"employeeId", "00000000-0000-4000-8000-000000000000"},
                             {"currency", "EUR"}},
                admin.access_token);
  CHECK(problem_fields(unknown_employee, 404, "not_found").empty());
  auto second_treasury =
      http.post("/api/v1/wallets", json::object{{"ownerType", "ORGANIZATION"}, {"currency", "USD"}},
                admin.access_token);
  CHECK(problem_fields(second_treasury, 409, "conflict").empty());
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets") == 1);

  SECTION("an employee's second wallet in another currency opens, once") {
    auto employee = hire(http, admin.access_token, "multi-currency");
    json::object body{
        {"ownerType", "EMPLOYEE"}, {"employeeId", employee.at("id")}, {"currency", "EUR"}};
    auto euro = expect(http.post("/api/v1/wallets", body, admin.access_token), 201);
    CHECK(euro.at("ownerId") == employee.at("id"));
    CHECK(euro.at("currency").as_string() == "EUR");
    CHECK(problem_fields(http.post("/api/v1/wallets", body, admin.access_token), 409, "conflict")
              .empty());
  }
  SECTION("the clearing wallet is not an address clients can use") {
    expect(deposit(http, admin.access_token, treasury, 100), 201);
    auto clearing =
        app.sql().scalar("SELECT id::text FROM wallet.wallets WHERE owner_type = 'EXTERNAL'");
    REQUIRE(clearing);
    CHECK(problem_fields(deposit(http, admin.access_token, *clearing, 100), 404, "not_found")
              .empty());
    CHECK(problem_fields(transfer(http, admin.access_token, *clearing, treasury, 100), 404,
                         "not_found")
              .empty());
  }
  SECTION("a withdrawal needs a Solana address") {
    auto body = json::object{{"amount", 10}, {"destinationAddress", std::string(44, '0')}};
    auto refused =
        post_money(http, "/api/v1/wallets/" + treasury + "/withdrawals", body, admin.access_token);
    CHECK(problem_fields(refused, 400, "validation_failed").count("destinationAddress") == 1);
  }
  SECTION("settling what is not a pending withdrawal is invalid_state") {
    auto deposited = id_of(deposit(http, admin.access_token, treasury, 100));
    auto refused = settle(http, admin.access_token, deposited, "complete",
                          json::object{{"externalReference", "x"}});
    CHECK(problem_fields(refused, 409, "invalid_state").empty());
  }
}
