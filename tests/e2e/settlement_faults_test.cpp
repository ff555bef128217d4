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

// The lagging-node tests' world: the chain moves only by hand (a finalized blockhash of 5 blocks
// would leave a loaded machine 2 blocks, 40 ms, to store and send the transaction), and the node
// that answers the statuses is 50 blocks behind the one that gives the finalized height, as two
// nodes behind one load balancer can be.
struct LaggingWorld : SolanaWorld {
  explicit LaggingWorld(const std::string& label)
      : SolanaWorld(label, {.block_time = std::chrono::milliseconds(0), .blockhash_validity = 5}) {
    chain.set_status_lag(50);
  }
};

// Waits until the job has asked for the statuses `more` times from now.
void await_status_checks(FakeSolana& chain, int more) {
  const auto checks = chain.calls("getSignatureStatuses");
  REQUIRE(eventually([&] { return chain.calls("getSignatureStatuses") >= checks + more; }));
}

// The withdrawal COMPLETED after `attempts` transactions, one of them landed, paying once.
void check_paid_once(SolanaWorld& world, const json::object& requested,
                     const std::string& destination, std::int64_t attempts) {
  auto done = settled(world.app.http(), world.admin.access_token, id_of_object(requested));
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(done.at("settlement").as_object().at("attempts").as_int64() == attempts);
  CHECK(world.chain.paid_to(key_of(destination)).size() == 1);
  CHECK(world.chain.landed().size() == 1);
}

}  // namespace

TEST_CASE("settlement: an RPC outage is retried and never fails the withdrawal") {
  SolanaWorld world("outage");
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
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
  SolanaWorld world("give-up", {.block_time = std::chrono::milliseconds(0)},
                    {{"PAYROLLX_SOLANA_MAX_RPC_FAILURES", "3"}});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
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
  SolanaWorld world("never-sent", {}, {{"PAYROLLX_SOLANA_MAX_RPC_FAILURES", "2"}});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
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
  SolanaWorld world("dropped", {.blockhash_validity = 5});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  const auto destination = new_address();
  chain.drop_next(1);

  auto done = world.withdrawn(250'000'000, destination);
  REQUIRE(done.at("status").as_string() == "COMPLETED");
  // At least the dropped attempt and its replacement; on a loaded machine the replacement can
  // itself outlive its 100 ms blockhash before it is sent, and is then replaced in turn. Every
  // attempt is recorded, and only one of them pays.
  const auto attempts = done.at("settlement").as_object().at("attempts").as_int64();
  CHECK(attempts >= 2);
  auto payments = chain.paid_to(key_of(destination));
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].signature == done.at("externalReference").as_string());
  CHECK(app.sql().count("SELECT count(*) FROM transaction.settlement_attempts") == attempts);
  CHECK(reconciliation(http, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: unknown to a node that lags is no proof: nothing is built twice") {
  // The transaction lands in the next block; taking the lagging node's "unknown" as "expired"
  // would pay twice.
  LaggingWorld world("lagging");
  auto& [chain, custody, app, admin, wallet] = world;
  const auto destination = new_address();
  auto requested = withdraw_to(app.http(), admin.access_token, wallet, 150'000'000, destination);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  chain.advance(1);   // it lands
  chain.advance(10);  // finalized past its last valid height, and not yet seen by the lagging node
  await_status_checks(chain, 3);
  CHECK(chain.calls("getLatestBlockhash") == 1);  // nothing was built again
  chain.advance(50);                              // the lagging node sees it, finalized
  check_paid_once(world, requested, destination, 1);
}

TEST_CASE("settlement: a dropped transaction is replaced though the node that answers lags") {
  // The statuses node lags by more than the chain takes to finalize, so it never reaches the
  // latest finalized slot; it does reach the first one seen past the dropped transaction's last
  // valid height, and its "unknown" proves expiry from then on. Without that the withdrawal
  // would wait for ever.
  LaggingWorld world("lagging-dropped");
  auto& [chain, custody, app, admin, wallet] = world;
  chain.drop_next(1);
  const auto destination = new_address();
  auto requested = withdraw_to(app.http(), admin.access_token, wallet, 130'000'000, destination);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  chain.advance(10);  // finalized past its last valid height: no more re-sends
  await_status_checks(chain, 2);
  CHECK(chain.calls("getLatestBlockhash") == 1);  // the lagging node has proven nothing yet

  const auto sends = chain.sends();
  chain.advance(50);  // the lagging node reaches the slot first seen finalized past it
  REQUIRE(eventually([&] { return chain.sends() > sends; }));  // the replacement
  CHECK(chain.calls("getLatestBlockhash") == 2);
  chain.advance(60);  // it lands, and the lagging node sees it finalized
  check_paid_once(world, requested, destination, 2);
}

TEST_CASE("settlement: a node that pruned the slots cannot prove expiry: nothing is rebuilt") {
  SolanaWorld world("pruned", {.blockhash_validity = 5},
                    {{"PAYROLLX_SOLANA_MAX_RPC_FAILURES", "3"}});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  const auto destination = new_address();
  chain.drop_next(1);  // the first transaction never lands...
  auto requested = withdraw_to(http, admin.access_token, wallet, 120'000'000, destination);
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  chain.set_minimum_ledger_slot(chain.slot());  // ...and the node forgets the slots it could be in

  REQUIRE(eventually(
      [&] { return settlement_status(transaction(http, admin.access_token, id)) == "FAILED"; }));
  auto stuck = transaction(http, admin.access_token, id);
  CHECK(stuck.at("status").as_string() == "PENDING");
  const auto& settlement = stuck.at("settlement").as_object();
  CHECK(settlement.at("attempts").as_int64() == 1);
  CHECK(settlement.at("retryable").as_bool());
  CHECK(settlement.at("lastError").as_string().find("cannot prove") != std::string::npos);

  // A node with the history: the transaction is proven expired, and only then replaced.
  chain.set_minimum_ledger_slot(0);
  expect(post_money(http, settle_path(id), json::object{}, admin.access_token), 200);
  auto done = settled(http, admin.access_token, id);
  CHECK(done.at("status").as_string() == "COMPLETED");
  // At least the dropped attempt and its replacement: on a loaded machine the replacement can
  // itself outlive its blockhash before it is sent, and is then replaced in turn (as in the
  // dropped-transaction test above). Only one of them pays.
  CHECK(done.at("settlement").as_object().at("attempts").as_int64() >= 2);
  CHECK(chain.paid_to(key_of(destination)).size() == 1);
  CHECK(chain.landed().size() == 1);
}

TEST_CASE("settlement: a server killed between sending and confirmation pays once") {
  SolanaWorld world("killed", {.block_time = std::chrono::milliseconds(0)});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  const auto destination = new_address();
  // The node takes the transaction at once but answers late: the server is killed while it waits
  // for the answer, its lease still held and the transaction stored and sent.
  chain.set_answer_delay(std::chrono::seconds(5));
  auto requested = withdraw_to(http, admin.access_token, wallet, 600'000'000, destination);
  const auto id = id_of_object(requested);
  REQUIRE(eventually([&] { return chain.sends() >= 1; }));
  CHECK(app.sql().count("SELECT count(*) FROM transaction.settlements WHERE status = 'SUBMITTED'"
                        " AND lease_until > now()") == 1);
  CHECK(app.server().stop(SIGKILL) == 128 + SIGKILL);
  chain.set_answer_delay(std::chrono::milliseconds(0));

  chain.advance(5);  // it lands while no server runs
  // The dead server's lease runs out (three minutes, taken as passed).
  app.sql().exec("UPDATE transaction.settlements SET lease_until = now() - interval '1 second'");
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
  SolanaWorld world("two", {}, {}, "SOL", 100'000'000'000);
  auto& [chain, custody, app, admin, wallet] = world;
  auto settings = solana_settings(chain, custody);
  settings.database_url = app.database_url();
  ServerProcess two(settings);
  auto& http_one = app.http();
  HttpClient http_two(two.port());

  // Pairs of identical payouts (same amount, same address): each is a payment of its own.
  std::map<std::string, std::string> destination_of;
  std::map<std::string, int> payouts_to;
  for (int i = 0; i < 24; ++i) {
    auto& http = i % 2 ? http_one : http_two;
    const auto destination = i % 2 ? destination_of.rbegin()->second : new_address();
    auto requested = withdraw_to(http, admin.access_token, wallet, 1'000'000, destination);
    destination_of[id_of_object(requested)] = destination;
    ++payouts_to[destination];
  }
  for (const auto& [id, destination] : destination_of) {
    auto done = settled(http_one, admin.access_token, id);
    CHECK(done.at("status").as_string() == "COMPLETED");
  }
  for (const auto& [destination, payouts] : payouts_to)
    CHECK(chain.paid_to(key_of(destination)).size() == static_cast<std::size_t>(payouts));
  CHECK(chain.landed().size() == destination_of.size());
  CHECK(app.sql().count("SELECT count(*) FROM transaction.settlement_attempts") ==
        static_cast<long long>(destination_of.size()));
  CHECK(reconciliation(http_two, admin.access_token).at("ok").as_bool());
}

TEST_CASE("settlement: a suspended organisation's withdrawals wait until it is reactivated") {
  SolanaWorld world("suspended");
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  auto operator_ = app.super_admin();

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

TEST_CASE("settlement: a server that starts does not pay an organisation suspended meanwhile") {
  SolanaWorld world("suspended-start");
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  auto operator_ = app.super_admin();
  chain.set_outage(true);
  auto requested = withdraw_to(http, admin.access_token, wallet, 100'000'000, new_address());
  const auto organization_path = "/api/v1/admin/organizations/" + admin.organization_id;
  expect(http.post(organization_path + "/suspend", json::object{{"reason", "audit"}},
                   operator_.access_token),
         200);
  app.server().stop();
  chain.set_outage(false);

  // A fresh instance: its first claim comes before anything else it reads.
  auto settings = solana_settings(chain, custody);
  settings.database_url = app.database_url();
  ServerProcess second(settings);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(chain.calls("sendTransaction") == 0);
  CHECK(chain.landed().empty());

  HttpClient again(second.port());
  expect(again.post(organization_path + "/reactivate", json::object{}, operator_.access_token),
         200);
  auto done = settled(again, admin.access_token, id_of_object(requested));
  CHECK(done.at("status").as_string() == "COMPLETED");
}

TEST_CASE("settlement: a server stopped mid-batch hands its withdrawal back as it stops") {
  // Every answer of the chain takes a second: the job has claimed the withdrawal and waits on
  // the chain when the server is told to stop. A graceful stop finishes the batch, which
  // releases its lease; left to lapse (3 minutes), it would hold the money back from the
  // instance that stays.
  SolanaWorld world("stopped-mid-batch", {.answer_delay = std::chrono::milliseconds(1000)});
  auto& [chain, custody, app, admin, wallet] = world;
  auto& http = app.http();
  const auto destination = new_address();
  auto requested = withdraw_to(http, admin.access_token, wallet, 120'000'000, destination);
  REQUIRE(eventually([&] { return chain.calls("getLatestBlockhash") >= 1; }));
  CHECK(app.server().stop() == 0);
  CHECK(app.sql().count("SELECT count(*) FROM transaction.settlements WHERE claim IS NOT NULL") ==
        0);

  chain.set_answer_delay(std::chrono::milliseconds(0));
  auto settings = solana_settings(chain, custody);
  settings.database_url = app.database_url();
  ServerProcess second(settings);
  HttpClient again(second.port());
  auto done = settled(again, admin.access_token, id_of_object(requested));
  CHECK(done.at("status").as_string() == "COMPLETED");
  CHECK(chain.paid_to(key_of(destination)).size() == 1);
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
