// The Solana settlement adapter against a fake cluster on loopback that checks signatures and
// executes the instructions it is sent: SOL and USDC withdrawals are paid on chain once, COMPLETED
// with their signature; a transfer that fails on chain fails its withdrawal and returns the money;
// nobody settles by hand what the adapter settles.
#include "problems.hpp"
#include "settlement_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::settlement;
using payrollx::solana::PublicKey;

}  // namespace

TEST_CASE("settlement: a SOL withdrawal is paid on chain once and COMPLETED with its signature") {
  SolanaWorld world("sol", {}, {}, "SOL", 5'000'000'000);
  auto& http = world.app.http();
  const auto& token = world.admin.access_token;
  const auto destination = new_address();

  auto requested = withdraw_to(http, token, world.wallet, 1'500'000'000, destination);
  CHECK(requested.at("status").as_string() == "PENDING");
  const auto& queued = requested.at("settlement").as_object();
  CHECK(queued.at("adapter").as_string() == "solana");
  CHECK(queued.at("attempts").as_int64() == 0);
  CHECK_FALSE(queued.contains("status"));

  auto done = settled(http, token, id_of_object(requested));
  REQUIRE(done.at("status").as_string() == "COMPLETED");
  const auto& settlement = done.at("settlement").as_object();
  CHECK(settlement.at("status").as_string() == "FINALIZED");
  CHECK(settlement.at("attempts").as_int64() == 1);
  const auto signature = std::string(settlement.at("signature").as_string());
  CHECK(done.at("externalReference").as_string() == signature);

  auto payments = world.chain.paid_to(key_of(destination));
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].signature == signature);
  CHECK(payments[0].amount == 1'500'000'000);
  CHECK_FALSE(payments[0].mint.has_value());
  CHECK(world.chain.lamports(key_of(destination)) == 1'500'000'000);

  CHECK(balance_of(http, token, world.wallet) == 3'500'000'000);
  CHECK(reconciliation(http, token).at("ok").as_bool());
  CHECK(world.app.sql().count("SELECT count(*) FROM transaction.settlement_attempts") == 1);
}

TEST_CASE("settlement: USDC goes between associated token accounts, created when missing") {
  SolanaWorld world("usdc", {}, {}, "USDC", 900'000'000);
  auto& http = world.app.http();
  const auto& token = world.admin.access_token;
  const auto destination = new_address();

  auto first = world.withdrawn(250'000'000, destination);
  REQUIRE(first.at("status").as_string() == "COMPLETED");
  CHECK(world.chain.token_balance(key_of(destination), usdc_mint()) == 250'000'000);

  // The account exists now: the second payment does not create it again.
  auto second = world.withdrawn(1'000'000, destination);
  REQUIRE(second.at("status").as_string() == "COMPLETED");
  CHECK(world.chain.token_balance(key_of(destination), usdc_mint()) == 251'000'000);

  auto landed = world.chain.landed();
  auto landed_by = [&](const json::object& transaction) {
    const auto signature = transaction.at("externalReference").as_string();
    for (const auto& entry : landed)
      if (entry.signature == signature) return entry;
    FAIL("not landed: " << signature);
    return payrollx::test::LandedTransaction{};
  };
  using Kind = ChainInstruction::Kind;
  auto first_landed = landed_by(first);
  REQUIRE(first_landed.instructions.size() == 3);
  CHECK(first_landed.instructions[0].kind == Kind::create_associated_token_account);
  CHECK(first_landed.instructions[1].kind == Kind::token_transfer_checked);
  CHECK(first_landed.instructions[2].kind == Kind::memo);
  CHECK(first_landed.instructions[2].memo == "payrollx withdrawal " + id_of_object(first));
  auto second_landed = landed_by(second);
  REQUIRE(second_landed.instructions.size() == 2);
  CHECK(second_landed.instructions[0].kind == Kind::token_transfer_checked);
  CHECK(second_landed.instructions[0].recipient == key_of(destination));
  CHECK(second_landed.instructions[1].kind == Kind::memo);

  CHECK(world.chain.paid_to(key_of(destination)).size() == 2);
  CHECK(balance_of(http, token, world.wallet) == 649'000'000);
  CHECK(reconciliation(http, token).at("ok").as_bool());
}

TEST_CASE("settlement: a transfer that fails on chain fails the withdrawal and returns the money") {
  SolanaWorld world("failing", {}, {}, "SOL", 2'000'000'000);
  auto& http = world.app.http();
  const auto& token = world.admin.access_token;
  const auto destination = new_address();
  world.chain.fail_on_land(key_of(destination));

  auto requested = withdraw_to(http, token, world.wallet, 700'000'000, destination);
  auto failed = settled(http, token, id_of_object(requested));
  REQUIRE(failed.at("status").as_string() == "FAILED");
  const auto& settlement = failed.at("settlement").as_object();
  CHECK(settlement.at("status").as_string() == "FAILED");
  CHECK(settlement.at("retryable").as_bool() == false);
  CHECK(settlement.at("lastError").as_string().size() > 0);
  CHECK(failed.at("failureReason").as_string().starts_with("failed on chain"));
  CHECK(world.chain.paid_to(key_of(destination)).empty());

  auto money = wallet_json(http, token, world.wallet);
  CHECK(money.at("balance").as_int64() == 2'000'000'000);
  CHECK(money.at("available").as_int64() == 2'000'000'000);
  CHECK(reconciliation(http, token).at("ok").as_bool());

  // Nothing to retry: the chain's answer was final.
  auto retried = post_money(http, "/api/v1/transactions/" + id_of_object(requested) + "/settle",
                            json::object{}, token);
  problem_fields(retried, 409, "invalid_state");
}

TEST_CASE("settlement: a withdrawal the adapter settles is not completed or failed by hand") {
  // The cluster makes no blocks: the transaction is sent and stays in flight.
  SolanaWorld world("by-hand", {.block_time = std::chrono::milliseconds(0)});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  auto requested = withdraw_to(http, admin.access_token, wallet, 400'000'000, new_address());
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));

  const auto before = app.sql().count("SELECT count(*) FROM transaction.transaction_logs");
  auto completed = settle(http, admin.access_token, id, "complete",
                          json::object{{"externalReference", "wire 1"}});
  problem_fields(completed, 409, "invalid_state");
  auto failed = settle(http, admin.access_token, id, "fail", json::object{{"reason", "changed"}});
  problem_fields(failed, 409, "invalid_state");
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transaction_logs") == before);

  // Once the chain moves on, the adapter completes it: it was never paid twice.
  chain.advance(5);
  auto done = settled(http, admin.access_token, id);
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(chain.landed().size() == 1);
}

TEST_CASE("settlement: withdrawals in other currencies stay with the manual adapter") {
  SolanaWorld world("manual", {}, {}, "EUR", 10'000);
  auto& http = world.app.http();
  const auto& token = world.admin.access_token;
  auto requested = withdraw_to(http, token, world.wallet, 2'500, new_address());
  CHECK(requested.at("settlement").as_object().at("adapter").as_string() == "manual");
  auto completed = expect(settle(http, token, id_of_object(requested), "complete",
                                 json::object{{"externalReference", "wire 7"}}),
                          200);
  CHECK(completed.at("status").as_string() == "COMPLETED");
  CHECK(world.chain.sends() == 0);
}
