// Races the ledger must decide in the database: many transfers spending one balance, and
// transfers in opposite directions between two wallets (a deadlock must never become a 500).
#include "ledger_helpers.hpp"
#include "parallel.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

}  // namespace

TEST_CASE("ledger concurrency: 50 transfers of 100 from 1000 - exactly 10 succeed") {
  TestApp app("ledger-double-spend");
  auto admin = app.signup("spender");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto source = wallet_of_employee(hire(app.http(), admin.access_token, "source"));
  auto target = wallet_of_employee(hire(app.http(), admin.access_token, "target"));
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  expect(transfer(app.http(), admin.access_token, treasury, source, 1000), 201);

  auto responses = in_parallel(app.server().port(), 50, [&](HttpClient& http, int) {
    return transfer(http, admin.access_token, source, target, 100);
  });
  const auto counts = statuses(responses);
  INFO("first body: " << responses[0].body);
  CHECK(counts.size() == 2);
  CHECK(counts.at(201) == 10);
  CHECK(counts.at(409) == 40);
  for (const auto& response : responses)
    if (response.status == 409)
      CHECK(response.json().at("code").as_string() == "insufficient_funds");
  CHECK(balance_of(app.http(), admin.access_token, source) == 0);
  CHECK(balance_of(app.http(), admin.access_token, target) == 1000);
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets WHERE balance < 0 "
                        "AND owner_type <> 'EXTERNAL'") == 0);
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger concurrency: opposite transfers between two wallets never fail with a 500") {
  TestApp app("ledger-deadlock");
  auto admin = app.signup("swapper");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto left = wallet_of_employee(hire(app.http(), admin.access_token, "left"));
  auto right = wallet_of_employee(hire(app.http(), admin.access_token, "right"));
  expect(deposit(app.http(), admin.access_token, treasury, 2000), 201);
  expect(transfer(app.http(), admin.access_token, treasury, left, 1000), 201);
  expect(transfer(app.http(), admin.access_token, treasury, right, 1000), 201);

  // Each request moves 10 one way and then 10 back on its connection, so that at every moment
  // both directions are in flight.
  auto responses = in_parallel(app.server().port(), 40, [&](HttpClient& http, int i) {
    const bool rightwards = i % 2 == 0;
    auto first = transfer(http, admin.access_token, rightwards ? left : right,
                          rightwards ? right : left, 10);
    if (first.status != 201) return first;
    return transfer(http, admin.access_token, rightwards ? right : left, rightwards ? left : right,
                    10);
  });
  for (const auto& response : responses) {
    INFO(response.status << " " << response.body);
    CHECK(response.status == 201);
  }
  CHECK(balance_of(app.http(), admin.access_token, left) +
            balance_of(app.http(), admin.access_token, right) ==
        2000);
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger concurrency: more deposits than pooled connections, into an employee's wallet") {
  // The deposit notifies the employee's user: that lookup must use the request's own
  // connection, or requests holding every pooled connection would wait on each other.
  ServerSettings settings;
  settings.env.emplace_back("PAYROLLX_DB_POOL_SIZE", "3");
  TestApp app("ledger-pool-pressure", settings);
  auto admin = app.signup("pressure");
  auto employee = hire(app.http(), admin.access_token, "pressed", "USD", true);
  auto target = wallet_of_employee(employee);
  auto responses = in_parallel(app.server().port(), 24, [&](HttpClient& http, int) {
    return deposit(http, admin.access_token, target, 10);
  });
  for (const auto& response : responses) {
    INFO(response.status << " " << response.body);
    CHECK(response.status == 201);
  }
  CHECK(balance_of(app.http(), admin.access_token, target) == 240);
}
