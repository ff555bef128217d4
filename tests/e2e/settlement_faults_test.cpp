// The Solana settlement adapter when things go wrong: RPC outages, transactions the cluster drops
// until their blockhash expires, a server killed between sending and confirmation, two instances
// at once, a suspended organisation, a custody file anyone may read. Whatever happens, each
// withdrawal is paid on chain exactly once.
#include <signal.h>

#include <fstream>
#include <map>
#include <thread>

#include "problems.hpp"
#include "settlement_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::settlement;

std::string settle_path(const std::string& id) {
  return "/api/v1/transactions/" + id + "/settle";
}

}  // namespace

TEST_CASE("settlement: an RPC outage is retried and never fails the withdrawal") {
  FakeSolana chain;
  CustodyFile custody("outage");
  TestApp app("settlement-outage", solana_settings(chain, custody));
  fund_custody(chain, custody);
  auto admin = app.signup("outage");
  auto& http = app.http();
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);
  const auto destination = new_address();

  chain.set_outage(true, RpcFailure::close_connection);
  auto requested = withdraw_to(http, admin.access_token, wallet, 300'000'000, destination);
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] {
    auto now = transaction(http, admin.access_token, id).at("settlement").as_object();
    return now.contains("lastError");
  }));
  CHECK(transaction(http, admin.access_token, id).at("status").as_string() == "PENDING");
  chain.set_outage(false);

  auto done = settled(http, admin.access_token, id);
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(chain.paid_to(key_of(destination)).size() == 1);
  CHECK(reconciliation(http, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: after many RPC failures it is FAILED retryable, and /settle resumes it") {
  FakeSolana chain({.block_time = std::chrono::milliseconds(0)});
  CustodyFile custody("give-up");
  TestApp app("settlement-give-up",
              solana_settings(chain, custody, {{"PAYROLLX_SOLANA_MAX_RPC_FAILURES", "3"}}));
  fund_custody(chain, custody);
  auto admin = app.signup("give-up");
  auto& http = app.http();
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);
  const auto destination = new_address();

  // Sent, then the node goes away before anything is known of it.
  auto requested = withdraw_to(http, admin.access_token, wallet, 200'000'000, destination);
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  chain.set_outage(true);
  REQUIRE(eventually(
      [&] { return settlement_status(transaction(http, admin.access_token, id)) == "FAILED"; }));
  auto gave_up = transaction(http, admin.access_token, id);
  CHECK(gave_up.at("status").as_string() == "PENDING");
  CHECK(gave_up.at("settlement").as_object().at("retryable").as_bool());
  CHECK(wallet_json(http, admin.access_token, wallet).at("available").as_int64() == 800'000'000);

  // Its transaction may still land: failing it by hand could pay twice.
  problem_fields(settle(http, admin.access_token, id, "fail", json::object{{"reason", "stuck"}}),
                 409, "invalid_state");

  chain.set_outage(false);
  chain.advance(5);  // it landed meanwhile
  auto resumed = expect(post_money(http, settle_path(id), json::object{}, admin.access_token), 200);
  CHECK(settlement_status(resumed) == "SUBMITTED");
  auto done = settled(http, admin.access_token, id);
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(done.at("settlement").as_object().at("attempts").as_int64() == 1);
  CHECK(chain.paid_to(key_of(destination)).size() == 1);
  // A second retry has nothing to resume.
  problem_fields(post_money(http, settle_path(id), json::object{}, admin.access_token), 409,
                 "invalid_state");
}

TEST_CASE("settlement: a withdrawal never sent may be failed by hand once its adapter gave up") {
  FakeSolana chain;
  CustodyFile custody("never-sent");
  TestApp app("settlement-never-sent",
              solana_settings(chain, custody, {{"PAYROLLX_SOLANA_MAX_RPC_FAILURES", "2"}}));
  fund_custody(chain, custody);
  auto admin = app.signup("never-sent");
  auto& http = app.http();
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);
  chain.set_outage(true);
  auto requested = withdraw_to(http, admin.access_token, wallet, 100'000'000, new_address());
  const auto id = id_of_object(requested);
  REQUIRE(eventually(
      [&] { return settlement_status(transaction(http, admin.access_token, id)) == "FAILED"; }));
  auto failed = expect(
      settle(http, admin.access_token, id, "fail", json::object{{"reason", "rail closed"}}), 200);
  CHECK(failed.at("status").as_string() == "FAILED");
  CHECK(wallet_json(http, admin.access_token, wallet).at("available").as_int64() == 1'000'000'000);
  chain.set_outage(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(chain.sends() == 0);
}

TEST_CASE("settlement: a dropped transaction is re-sent, and replaced only once it expired") {
  // Blockhashes live 5 blocks (100 ms): the dropped transaction expires before it is re-sent.
  FakeSolana chain({.blockhash_validity = 5});
  CustodyFile custody("dropped");
  TestApp app("settlement-dropped", solana_settings(chain, custody));
  fund_custody(chain, custody);
  auto admin = app.signup("dropped");
  auto& http = app.http();
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);
  const auto destination = new_address();
  chain.drop_next(1);

  auto done = settled(
      http, admin.access_token,
      id_of_object(withdraw_to(http, admin.access_token, wallet, 250'000'000, destination)));
  REQUIRE(done.at("status").as_string() == "COMPLETED");
  CHECK(done.at("settlement").as_object().at("attempts").as_int64() == 2);
  auto payments = chain.paid_to(key_of(destination));
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].signature == done.at("externalReference").as_string());
  CHECK(app.sql().count("SELECT count(*) FROM transaction.settlement_attempts") == 2);
  CHECK(reconciliation(http, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: a server killed between sending and confirmation pays once") {
  FakeSolana chain({.block_time = std::chrono::milliseconds(0)});
  CustodyFile custody("killed");
  TestApp app("settlement-killed", solana_settings(chain, custody));
  fund_custody(chain, custody);
  auto& http = app.http();
  auto admin = app.signup("killed");
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);
  const auto destination = new_address();
  auto requested = withdraw_to(http, admin.access_token, wallet, 600'000'000, destination);
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  CHECK(app.server().stop(SIGKILL) == 128 + SIGKILL);

  chain.advance(5);  // it lands while no server runs
  auto settings = solana_settings(chain, custody);
  settings.database_url = app.database_url();
  ServerProcess second(settings);
  HttpClient again(second.port());
  auto done = settled(again, admin.access_token, id);
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(done.at("settlement").as_object().at("attempts").as_int64() == 1);
  CHECK(chain.paid_to(key_of(destination)).size() == 1);
  CHECK(reconciliation(again, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: two instances pay each of many withdrawals exactly once") {
  FakeSolana chain;
  CustodyFile custody("two");
  TestApp app("settlement-two", solana_settings(chain, custody));
  auto settings = solana_settings(chain, custody);
  settings.database_url = app.database_url();
  ServerProcess two(settings);
  fund_custody(chain, custody);
  auto& http_one = app.http();
  HttpClient http_two(two.port());
  auto admin = app.signup("two-instances");
  auto wallet = funded_wallet(http_one, admin.access_token, "SOL", 100'000'000'000);

  std::map<std::string, std::string> destination_of;
  for (int i = 0; i < 24; ++i) {
    auto& http = i % 2 ? http_one : http_two;
    const auto destination = new_address();
    auto requested = withdraw_to(http, admin.access_token, wallet, 1'000'000 + i, destination);
    destination_of[id_of_object(requested)] = destination;
  }
  for (const auto& [id, destination] : destination_of) {
    auto done = settled(http_one, admin.access_token, id);
    CHECK(done.at("status").as_string() == "COMPLETED");
    CHECK(chain.paid_to(key_of(destination)).size() == 1);
  }
  CHECK(chain.landed().size() == destination_of.size());
  CHECK(reconciliation(http_two, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: a suspended organisation's withdrawals wait until it is reactivated") {
  FakeSolana chain;
  CustodyFile custody("suspended");
  TestApp app("settlement-suspended", solana_settings(chain, custody));
  fund_custody(chain, custody);
  auto admin = app.signup("suspended");
  auto operator_ = app.super_admin();
  auto& http = app.http();
  auto wallet = funded_wallet(http, admin.access_token, "SOL", 1'000'000'000);

  chain.set_outage(true);  // holds the withdrawal back until the suspension is in place
  auto requested = withdraw_to(http, admin.access_token, wallet, 100'000'000, new_address());
  const auto organization_path = "/api/v1/admin/organizations/" + admin.organization_id;
  expect(http.post(organization_path + "/suspend", json::object{{"reason", "audit"}},
                   operator_.access_token),
         200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the suspension reaches the job
  chain.set_outage(false);
  const auto sends = chain.sends();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(chain.sends() == sends);
  CHECK(chain.landed().empty());

  expect(http.post(organization_path + "/reactivate", json::object{}, operator_.access_token), 200);
  auto done = settled(http, admin.access_token, id_of_object(requested));
  CHECK(done.at("status").as_string() == "COMPLETED");
}

TEST_CASE("settlement: the server refuses a custody file others may read, and half a config") {
  FakeSolana chain;
  CustodyFile readable("readable", 0644);
  const auto database = fresh_database("settlement-refused");
  const std::pair<std::string, std::string> secret{"PAYROLLX_JWT_SECRET", std::string(40, 's')};
  auto settings = solana_settings(chain, readable);
  settings.env.push_back({"PAYROLLX_DATABASE_URL", database});
  settings.env.push_back(secret);
  auto refused = run_payrollx({"serve"}, settings.env);
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find(readable.path.string()) != std::string::npos);
  // Not one of the key's numbers: the file's text appears nowhere.
  std::ifstream in(readable.path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(refused.output.find(text.substr(1, 20)) == std::string::npos);

  auto half = run_payrollx(
      {"serve"},
      {{"PAYROLLX_DATABASE_URL", database}, secret, {"PAYROLLX_SOLANA_RPC_URL", chain.url()}});
  CHECK(half.exit_code != 0);
  CHECK(half.output.find("PAYROLLX_SOLANA_KEYPAIR_FILE") != std::string::npos);
}
