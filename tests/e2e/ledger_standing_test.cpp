// Revocation reaches money: an access token is good until it expires, except for money. Every 💰
// request re-checks, in its own transaction, that its user is active, still holds the token's role
// and that the session was not revoked.
#include <atomic>
#include <thread>
#include <vector>

#include "ledger_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

struct Books {
  std::int64_t treasury = 0;
  std::int64_t other = 0;
  long long transactions = 0;
  bool operator==(const Books&) const = default;
};

Books books(TestApp& app, const std::string& token, const std::string& treasury,
            const std::string& other) {
  return {.treasury = balance_of(app.http(), token, treasury),
          .other = balance_of(app.http(), token, other),
          .transactions = app.sql().count("SELECT count(*) FROM transaction.transactions")};
}

struct Ledger {
  std::string treasury;
  std::string employee_wallet;
};

Ledger funded(TestApp& app, const SignedUp& admin) {
  auto& http = app.http();
  Ledger ledger{.treasury = treasury_of(http, admin.access_token),
                .employee_wallet = wallet_of_employee(hire(http, admin.access_token, "payee"))};
  expect(deposit(http, admin.access_token, ledger.treasury, 100000), 201);
  return ledger;
}

std::string user_path(const SignedUp& user) {
  return "/api/v1/users/" + user.user_id;
}

}  // namespace

TEST_CASE("standing: a deactivated user's old access token moves no money", "[e2e]") {
  TestApp app("standing-deactivated");
  auto admin = app.signup("standing-admin");
  auto& http = app.http();
  auto ledger = funded(app, admin);
  auto finance = app.add_user(admin, "standing-finance", "FINANCE_MANAGER");
  // Before: the token moves money, and a withdrawal waits to be settled.
  const auto replayed_key = new_key();
  expect(transfer(http, finance.access_token, ledger.treasury, ledger.employee_wallet, 100,
                  replayed_key),
         201);
  auto pending = id_of(withdraw(http, admin.access_token, ledger.treasury, 500));

  expect(http.patch(user_path(finance), json::object{{"isActive", false}}, admin.access_token),
         200);
  const auto before = books(app, admin.access_token, ledger.treasury, ledger.employee_wallet);
  const auto& token = finance.access_token;  // still unexpired
  problem_fields(deposit(http, token, ledger.treasury, 1000), 401, "unauthorized");
  problem_fields(transfer(http, token, ledger.treasury, ledger.employee_wallet, 100), 401,
                 "unauthorized");
  problem_fields(settle(http, token, pending, "complete", {{"externalReference", "sig"}}), 401,
                 "unauthorized");
  problem_fields(settle(http, token, pending, "fail", {{"reason", "no"}}), 401, "unauthorized");
  problem_fields(withdraw(http, token, ledger.treasury, 100), 401, "unauthorized");
  // Not even the replay of an answer the user got while active.
  problem_fields(transfer(http, token, ledger.treasury, ledger.employee_wallet, 100, replayed_key),
                 401, "unauthorized");
  CHECK(books(app, admin.access_token, ledger.treasury, ledger.employee_wallet) == before);
  CHECK(app.sql().scalar("SELECT status FROM transaction.transactions WHERE id = $1", {pending}) ==
        "PENDING");
  // Reactivated, a new sign-in moves money again (the old session was revoked with the
  // deactivation, so its token stays refused).
  expect(http.patch(user_path(finance), json::object{{"isActive", true}}, admin.access_token), 200);
  problem_fields(deposit(http, token, ledger.treasury, 1000), 401, "unauthorized");
  auto again = expect(http.post("/api/v1/auth/login", json::object{{"email", finance.email},
                                                                   {"password", finance.password}}),
                      200);
  expect(deposit(http, std::string(again.at("accessToken").as_string()), ledger.treasury, 1000),
         201);
}

TEST_CASE("standing: a demoted user's old access token moves no money", "[e2e]") {
  TestApp app("standing-demoted");
  auto admin = app.signup("demote-admin");
  auto& http = app.http();
  auto ledger = funded(app, admin);
  auto finance = app.add_user(admin, "demoted-finance", "FINANCE_MANAGER");
  expect(deposit(http, finance.access_token, ledger.treasury, 1000), 201);

  expect(http.patch(user_path(finance), json::object{{"role", "HR_MANAGER"}}, admin.access_token),
         200);
  const auto before = books(app, admin.access_token, ledger.treasury, ledger.employee_wallet);
  problem_fields(deposit(http, finance.access_token, ledger.treasury, 1000), 403, "forbidden");
  problem_fields(transfer(http, finance.access_token, ledger.treasury, ledger.employee_wallet, 100),
                 403, "forbidden");
  CHECK(books(app, admin.access_token, ledger.treasury, ledger.employee_wallet) == before);
}

TEST_CASE("standing: a signed-out session's access token moves no money", "[e2e]") {
  TestApp app("standing-logout");
  auto admin = app.signup("logout-admin");
  auto& http = app.http();
  auto ledger = funded(app, admin);
  auto finance = app.add_user(admin, "logout-finance", "FINANCE_MANAGER");
  REQUIRE(http.post("/api/v1/auth/logout", json::object{{"refreshToken", finance.refresh_token}})
              .status == 204);
  const auto before = books(app, admin.access_token, ledger.treasury, ledger.employee_wallet);
  problem_fields(deposit(http, finance.access_token, ledger.treasury, 1000), 401, "unauthorized");
  CHECK(books(app, admin.access_token, ledger.treasury, ledger.employee_wallet) == before);
  // The admin's own session is untouched.
  expect(deposit(http, admin.access_token, ledger.treasury, 1000), 201);
}

TEST_CASE("standing: transfers racing a deactivation stop at once, and the books hold", "[e2e]") {
  TestApp app("standing-race");
  auto admin = app.signup("race-admin");
  auto& http = app.http();
  auto ledger = funded(app, admin);
  auto finance = app.add_user(admin, "race-finance", "FINANCE_MANAGER");
  constexpr int k_clients = 4;

  // Clients transfer 1 at a time until told to stop; each answer is recorded with whether its
  // request was sent after the deactivation had been answered.
  std::atomic<bool> deactivated{false}, stop{false};
  struct Outcome {
    int status;
    bool sent_after;
  };
  std::vector<std::vector<Outcome>> outcomes(k_clients);
  std::vector<std::thread> clients;
  for (int c = 0; c < k_clients; ++c)
    clients.emplace_back([&, c] {
      HttpClient client(app.server().port());
      while (!stop) {
        const bool after = deactivated;
        auto answer =
            transfer(client, finance.access_token, ledger.treasury, ledger.employee_wallet, 1);
        outcomes[c].push_back({answer.status, after});
        if (after && outcomes[c].size() > 200) break;
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  auto patched =
      http.patch(user_path(finance), json::object{{"isActive", false}}, admin.access_token);
  deactivated = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& client : clients) client.join();
  REQUIRE(patched.status == 200);

  int moved = 0, refused_after = 0, sent_after = 0;
  for (const auto& of_client : outcomes)
    for (const auto& outcome : of_client) {
      if (outcome.status == 201) ++moved;
      if (outcome.sent_after) {
        ++sent_after;
        if (outcome.status == 401) ++refused_after;
      }
      CHECK((outcome.status == 201 || outcome.status == 401));
    }
  CHECK(moved > 0);
  CHECK(sent_after > 0);
  CHECK(refused_after == sent_after);  // nothing sent after the deactivation moved money
  // Every transfer answered 201 is in the books, and no other.
  CHECK(balance_of(http, admin.access_token, ledger.employee_wallet) == moved);
  CHECK(reconciliation(http, admin.access_token).at("ok").as_bool());
}
