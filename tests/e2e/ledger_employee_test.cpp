// What an EMPLOYEE sees and does with money: only their own wallets, statement and transactions
// (everyone else's answer 404), and withdrawals from their own wallet, with the outcome in their
// inbox.
#include <algorithm>
#include <set>
#include <vector>

#include "ledger_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

// An employee with a portal account, signed in.
struct Staff {
  std::string employee_id;
  std::string wallet_id;
  std::string token;
};

Staff hire_with_account(TestApp& app, const std::string& admin_token, const std::string& who) {
  auto employee = hire(app.http(), admin_token, who, "USD", true);
  const auto invitation = employee.at("invitation").as_object();
  auto accepted = app.http().post(
      "/api/v1/auth/invitations/accept",
      json::object{{"token", invitation.at("token")}, {"password", "employee password 1"}});
  auto session = expect(accepted, 200);
  return {.employee_id = std::string(employee.at("id").as_string()),
          .wallet_id = wallet_of_employee(employee),
          .token = std::string(session.at("accessToken").as_string())};
}

std::set<std::string> ids_in(const HttpResponse& list) {
  std::set<std::string> ids;
  auto body = expect(list, 200);
  for (const auto& item : body.at("data").as_array())
    ids.insert(std::string(item.at("id").as_string()));
  return ids;
}

std::vector<std::string> event_types(TestApp& app, const std::string& token) {
  std::vector<std::string> types;
  auto inbox = expect(app.http().get("/api/v1/notifications", token), 200);
  for (const auto& notice : inbox.at("data").as_array())
    types.emplace_back(notice.at("eventType").as_string());
  return types;
}

}  // namespace

TEST_CASE("ledger employee: an EMPLOYEE sees only their own wallets and transactions") {
  TestApp app("ledger-employee-view");
  auto admin = app.signup("employer");
  auto& http = app.http();
  auto treasury = treasury_of(http, admin.access_token);
  auto ann = hire_with_account(app, admin.access_token, "ann");
  auto bob = hire_with_account(app, admin.access_token, "bob");
  expect(deposit(http, admin.access_token, treasury, 10000), 201);
  auto to_ann = id_of(transfer(http, admin.access_token, treasury, ann.wallet_id, 3000));
  auto to_bob = id_of(transfer(http, admin.access_token, treasury, bob.wallet_id, 2000));

  CHECK(ids_in(http.get("/api/v1/wallets", ann.token)) == std::set<std::string>{ann.wallet_id});
  CHECK(balance_of(http, ann.token, ann.wallet_id) == 3000);
  expect(http.get("/api/v1/wallets/" + ann.wallet_id + "/entries", ann.token), 200);
  CHECK(ids_in(http.get("/api/v1/transactions", ann.token)) == std::set<std::string>{to_ann});
  expect(http.get("/api/v1/transactions/" + to_ann, ann.token), 200);

  for (const auto& path :
       {"/api/v1/wallets/" + bob.wallet_id, "/api/v1/wallets/" + bob.wallet_id + "/entries",
        "/api/v1/wallets/" + treasury, "/api/v1/transactions/" + to_bob}) {
    INFO(path);
    CHECK(problem_fields(http.get(path, ann.token), 404, "not_found").empty());
  }
  CHECK(ids_in(http.get("/api/v1/transactions?walletId=" + bob.wallet_id, ann.token)).empty());
  // Moving the organisation's money is not an employee's job.
  CHECK(problem_fields(transfer(http, ann.token, ann.wallet_id, bob.wallet_id, 1), 403, "forbidden")
            .empty());
  CHECK(problem_fields(deposit(http, ann.token, ann.wallet_id, 1), 403, "forbidden").empty());
  CHECK(problem_fields(http.get("/api/v1/ledger/reconciliation", ann.token), 403, "forbidden")
            .empty());

  SECTION("the employeeId filter answers that employee's transactions to finance") {
    CHECK(ids_in(http.get("/api/v1/transactions?employeeId=" + bob.employee_id,
                          admin.access_token)) == std::set<std::string>{to_bob});
  }
}

TEST_CASE("ledger employee: an EMPLOYEE withdraws their own money and hears the outcome") {
  TestApp app("ledger-employee-withdrawal");
  auto admin = app.signup("payer");
  auto& http = app.http();
  auto treasury = treasury_of(http, admin.access_token);
  auto ann = hire_with_account(app, admin.access_token, "ann");
  auto bob = hire_with_account(app, admin.access_token, "bob");
  expect(deposit(http, admin.access_token, treasury, 10000), 201);
  expect(transfer(http, admin.access_token, treasury, ann.wallet_id, 3000), 201);

  auto others = withdraw(http, ann.token, bob.wallet_id, 10);
  CHECK(problem_fields(others, 404, "not_found").empty());
  auto treasury_attempt = withdraw(http, ann.token, treasury, 10);
  CHECK(problem_fields(treasury_attempt, 404, "not_found").empty());

  auto sent = id_of(withdraw(http, ann.token, ann.wallet_id, 1000));
  auto bounced = id_of(withdraw(http, ann.token, ann.wallet_id, 500));
  CHECK(wallet(http, ann.token, ann.wallet_id).at("available").as_int64() == 1500);
  // Settling is finance's job.
  CHECK(problem_fields(
            settle(http, ann.token, sent, "complete", json::object{{"externalReference", "x"}}),
            403, "forbidden")
            .empty());
  expect(settle(http, admin.access_token, sent, "complete",
                json::object{{"externalReference", "solana:abc"}}),
         200);
  expect(settle(http, admin.access_token, bounced, "fail", json::object{{"reason", "rejected"}}),
         200);

  auto after = wallet(http, ann.token, ann.wallet_id);
  CHECK(after.at("balance").as_int64() == 2000);
  CHECK(after.at("held").as_int64() == 0);
  auto types = event_types(app, ann.token);
  CHECK(std::count(types.begin(), types.end(), "transaction.withdrawal.completed") == 1);
  CHECK(std::count(types.begin(), types.end(), "transaction.withdrawal.failed") == 1);
  auto bob_types = event_types(app, bob.token);
  CHECK(std::count(bob_types.begin(), bob_types.end(), "transaction.withdrawal.completed") == 0);
  CHECK(reconciliation(http, admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger employee: an EMPLOYEE's view of their pay has only their own legs") {
  TestApp app("ledger-employee-legs");
  auto admin = app.signup("legs-employer");
  auto& http = app.http();
  auto treasury = treasury_of(http, admin.access_token);
  auto ann = hire_with_account(app, admin.access_token, "ann");
  expect(deposit(http, admin.access_token, treasury, 10000), 201);
  auto bonus = id_of(post_money(http, "/api/v1/transfers",
                                json::object{{"fromWalletId", treasury},
                                             {"toWalletId", ann.wallet_id},
                                             {"amount", 2500},
                                             {"type", "BONUS"}},
                                admin.access_token));
  auto sent = id_of(withdraw(http, ann.token, ann.wallet_id, 500));
  expect(settle(http, admin.access_token, sent, "complete",
                json::object{{"externalReference", "solana:legs"}}),
         200);

  // Finance sees both legs, the treasury's running balance among them, and who acted.
  auto full = expect(http.get("/api/v1/transactions/" + bonus, admin.access_token), 200);
  CHECK(full.at("entries").as_array().size() == 2);
  CHECK(full.at("createdBy").as_string() == admin.user_id);

  // Ann sees her leg only: never the treasury's balance, nor staff ids.
  auto own = expect(http.get("/api/v1/transactions/" + bonus, ann.token), 200);
  const auto& entries = own.at("entries").as_array();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].at("walletId").as_string() == ann.wallet_id);
  CHECK(entries[0].at("balanceAfter").as_int64() == 2500);
  CHECK(own.at("createdBy").is_null());
  for (const auto& change : own.at("statusHistory").as_array())
    CHECK(change.at("actorId").is_null());
  CHECK(own.at("amount").as_int64() == 2500);

  // The same in the list, and for her withdrawal that finance settled.
  auto listed = expect(http.get("/api/v1/transactions", ann.token), 200);
  for (const auto& item : listed.at("data").as_array()) CHECK(item.at("createdBy").is_null());
  auto withdrawal = expect(http.get("/api/v1/transactions/" + sent, ann.token), 200);
  for (const auto& entry : withdrawal.at("entries").as_array())
    CHECK(entry.at("walletId").as_string() == ann.wallet_id);
  for (const auto& change : withdrawal.at("statusHistory").as_array())
    CHECK(change.at("actorId").is_null());
}
