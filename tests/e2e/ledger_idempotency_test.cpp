// The Idempotency-Key contract on the money routes: required, replayed with the first answer,
// refused with another body, and never acted on twice — not even by concurrent requests.
#include <chrono>
#include <thread>

#include "ledger_helpers.hpp"
#include "parallel.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

long long transactions(Sql& sql) {
  return sql.count("SELECT count(*) FROM transaction.transactions");
}

}  // namespace

TEST_CASE("idempotency: a money route without an Idempotency-Key is 400, nothing written") {
  TestApp app("idempotency-missing");
  auto admin = app.signup("keyless");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto response =
      app.http().post("/api/v1/wallets/" + treasury + "/deposits",
                      json::object{{"amount", 100}, {"reference", "r"}}, admin.access_token);
  CHECK(problem_fields(response, 400, "validation_failed").count("Idempotency-Key") == 1);
  auto too_long = deposit(app.http(), admin.access_token, treasury, 100, std::string(256, 'k'));
  CHECK(problem_fields(too_long, 400, "validation_failed").count("Idempotency-Key") == 1);
  for (const std::string key : {"ab\xff\xfe", "caf\xc3\xa9", "tab\there"}) {
    auto refused = deposit(app.http(), admin.access_token, treasury, 100, key);
    CHECK(problem_fields(refused, 400, "validation_failed").count("Idempotency-Key") == 1);
  }
  CHECK(transactions(app.sql()) == 0);
}

TEST_CASE("idempotency: a retry with the same key and body replays the first answer") {
  TestApp app("idempotency-replay");
  auto admin = app.signup("replayer");
  auto treasury = treasury_of(app.http(), admin.access_token);
  const auto key = new_key();
  auto first = deposit(app.http(), admin.access_token, treasury, 500, key);
  REQUIRE(first.status == 201);
  CHECK_FALSE(first.header("idempotent-replayed"));

  auto again = deposit(app.http(), admin.access_token, treasury, 500, key);
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.header("idempotent-replayed") == std::optional<std::string>("true"));
  CHECK(transactions(app.sql()) == 1);
  CHECK(balance_of(app.http(), admin.access_token, treasury) == 500);

  SECTION("the same key with another body is 409 idempotency_key_reused") {
    auto other = deposit(app.http(), admin.access_token, treasury, 501, key);
    CHECK(problem_fields(other, 409, "idempotency_key_reused").empty());
    CHECK(transactions(app.sql()) == 1);
  }
  SECTION("the same key on another route is 409 idempotency_key_reused") {
    auto other = withdraw(app.http(), admin.access_token, treasury, 500, key);
    CHECK(problem_fields(other, 409, "idempotency_key_reused").empty());
  }
  SECTION("keys belong to one organisation: another may use the same key") {
    auto other = app.signup("other-org");
    auto their_treasury = treasury_of(app.http(), other.access_token);
    auto theirs = deposit(app.http(), other.access_token, their_treasury, 500, key);
    CHECK(theirs.status == 201);
    CHECK_FALSE(theirs.header("idempotent-replayed"));
    CHECK(transactions(app.sql()) == 2);
  }
}

TEST_CASE("idempotency: a refusal after the work started is the key's answer too") {
  TestApp app("idempotency-refusal");
  auto admin = app.signup("refused");
  auto treasury = treasury_of(app.http(), admin.access_token);
  const auto key = new_key();
  auto refused = withdraw(app.http(), admin.access_token, treasury, 100, key);
  REQUIRE(refused.status == 409);
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  // The money is there now, but the key already answered: the retry gets that answer, and
  // nothing moves.
  auto retry = withdraw(app.http(), admin.access_token, treasury, 100, key);
  CHECK(retry.status == 409);
  CHECK(retry.body == refused.body);
  CHECK(retry.header("idempotent-replayed") == std::optional<std::string>("true"));
  CHECK(wallet(app.http(), admin.access_token, treasury).at("held").as_int64() == 0);
}

TEST_CASE("idempotency: a request the work found invalid may be corrected under the same key") {
  TestApp app("idempotency-corrected");
  auto admin = app.signup("corrector");
  auto treasury = treasury_of(app.http(), admin.access_token);
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  auto euro =
      expect(app.http().post("/api/v1/wallets",
                             json::object{{"ownerType", "ORGANIZATION"}, {"currency", "EUR"}},
                             admin.access_token),
             201);
  auto payee = wallet_of_employee(hire(app.http(), admin.access_token, "corrected"));
  const auto key = new_key();
  auto wrong = transfer(app.http(), admin.access_token, treasury,
                        std::string(euro.at("id").as_string()), 100, key);
  CHECK(problem_fields(wrong, 400, "validation_failed").count("toWalletId") == 1);
  auto corrected = transfer(app.http(), admin.access_token, treasury, payee, 100, key);
  CHECK(corrected.status == 201);
  CHECK_FALSE(corrected.header("idempotent-replayed"));
}

TEST_CASE("idempotency: 20 concurrent requests with one key make one transaction") {
  TestApp app("idempotency-concurrent");
  auto admin = app.signup("racer");
  auto treasury = treasury_of(app.http(), admin.access_token);
  const auto key = new_key();
  auto responses = in_parallel(app.server().port(), 20, [&](HttpClient& http, int) {
    return deposit(http, admin.access_token, treasury, 700, key);
  });
  std::string first_body;
  for (const auto& response : responses) {
    INFO(response.status << " " << response.body);
    REQUIRE(response.status == 201);  // the waiting ones replay the first answer
    if (first_body.empty()) first_body = response.body;
    CHECK(response.body == first_body);
  }
  CHECK(transactions(app.sql()) == 1);
  CHECK(balance_of(app.http(), admin.access_token, treasury) == 700);
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("idempotency: expired keys are forgotten") {
  TestApp app("idempotency-expiry");
  auto admin = app.signup("forgetful");
  auto treasury = treasury_of(app.http(), admin.access_token);
  const auto key = new_key();
  expect(deposit(app.http(), admin.access_token, treasury, 100, key), 201);
  app.sql().exec("UPDATE core.idempotency_keys SET expires_at = now() - interval '1 second'");
  // A key past its 24 hours is a new key: the request acts again.
  auto again = deposit(app.http(), admin.access_token, treasury, 100, key);
  CHECK(again.status == 201);
  CHECK_FALSE(again.header("idempotent-replayed"));
  CHECK(transactions(app.sql()) == 2);
}

TEST_CASE("idempotency: every instance's background job deletes expired keys") {
  ServerSettings settings;
  settings.env.emplace_back("PAYROLLX_JOBS_INTERVAL_MS", "100");
  TestApp app("idempotency-purge", settings);
  auto admin = app.signup("purged");
  auto treasury = treasury_of(app.http(), admin.access_token);
  expect(deposit(app.http(), admin.access_token, treasury, 100), 201);
  expect(deposit(app.http(), admin.access_token, treasury, 100), 201);
  app.sql().exec(
      "UPDATE core.idempotency_keys SET expires_at = now() - interval '1 second' "
      "WHERE ctid = (SELECT min(ctid) FROM core.idempotency_keys)");
  long long left = 2;
  for (int attempt = 0; attempt < 50 && left != 1; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = app.sql().count("SELECT count(*) FROM core.idempotency_keys");
  }
  CHECK(left == 1);  // the live key stays
}
