// Deposits, transfers, withdrawals (complete and fail), reversals and the reconciliation against
// the real server: every movement is a transaction with balanced entries, balances follow, the
// refused ones change nothing.
#include "ledger_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

// Rows a refused request must not have written.
struct Written {
  long long transactions = 0;
  long long entries = 0;
  long long holds = 0;
  long long audits = 0;
  bool operator==(const Written&) const = default;
};

Written written(Sql& sql) {
  return {.transactions = sql.count("SELECT count(*) FROM transaction.transactions"),
          .entries = sql.count("SELECT count(*) FROM wallet.entries"),
          .holds = sql.count("SELECT count(*) FROM wallet.holds"),
          .audits = sql.count("SELECT count(*) FROM compliance.audit_logs")};
}

}  // namespace

TEST_CASE("ledger: signup opens the treasury in the base currency, empty") {
  TestApp app("ledger-treasury");
  auto admin = app.signup("treasurer");
  auto wallets = expect(app.http().get("/api/v1/wallets", admin.access_token), 200);
  const auto& data = wallets.at("data").as_array();
  REQUIRE(data.size() == 1);
  const auto& treasury = data[0].as_object();
  CHECK(treasury.at("ownerType").as_string() == "ORGANIZATION");
  CHECK(treasury.at("ownerId").as_string() == admin.organization_id);
  CHECK(treasury.at("currency").as_string() == "USD");
  CHECK(treasury.at("balance").as_int64() == 0);
  CHECK(treasury.at("available").as_int64() == 0);
}

TEST_CASE("ledger: a deposit is a COMPLETED transaction with balanced entries and a notice") {
  TestApp app("ledger-deposit");
  auto admin = app.signup("depositor");
  auto treasury = treasury_of(app.http(), admin.access_token);

  auto answer = expect(deposit(app.http(), admin.access_token, treasury, 250000), 201);
  CHECK(answer.at("type").as_string() == "DEPOSIT");
  CHECK(answer.at("status").as_string() == "COMPLETED");
  CHECK(answer.at("amount").as_int64() == 250000);
  CHECK(answer.at("currency").as_string() == "USD");
  CHECK(answer.at("toWalletId").as_string() == treasury);
  CHECK(balance_of(app.http(), admin.access_token, treasury) == 250000);

  auto detail =
      expect(app.http().get("/api/v1/transactions/" + std::string(answer.at("id").as_string()),
                            admin.access_token),
             200);
  const auto& entries = detail.at("entries").as_array();
  REQUIRE(entries.size() == 2);
  std::int64_t credits = 0, debits = 0;
  for (const auto& entry : entries) {
    auto amount = entry.at("amount").as_int64();
    (entry.at("direction").as_string() == "CREDIT" ? credits : debits) += amount;
    if (entry.at("walletId").as_string() == treasury)
      CHECK(entry.at("balanceAfter").as_int64() == 250000);
    else
      CHECK(entry.at("balanceAfter").as_int64() == -250000);  // the clearing wallet
  }
  CHECK(credits == 250000);
  CHECK(debits == 250000);
  // Its history is its creation, which the row says: no history line is written for it.
  const auto& history = detail.at("statusHistory").as_array();
  REQUIRE(history.size() == 1);
  CHECK(history[0].at("fromStatus").is_null());
  CHECK(history[0].at("toStatus").as_string() == "COMPLETED");
  CHECK(history[0].at("actorId").as_string() == admin.user_id);
  CHECK(history[0].at("createdAt") == detail.at("createdAt"));
  CHECK(app.sql().count("SELECT count(*) FROM transaction.transaction_logs WHERE "
                        "transaction_id = $1",
                        {std::string(answer.at("id").as_string())}) == 0);

  auto notices = expect(app.http().get("/api/v1/notifications", admin.access_token), 200);
  bool noticed = false;
  for (const auto& notice : notices.at("data").as_array())
    noticed |= notice.at("eventType").as_string() == "wallet.deposit.completed";
  CHECK(noticed);
  CHECK(app.sql().count("SELECT count(*) FROM compliance.audit_logs WHERE action = "
                        "'transaction.deposit_completed'") == 1);
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger: the statement lists entries newest first with running balances") {
  TestApp app("ledger-statement");
  auto admin = app.signup("statement");
  auto treasury = treasury_of(app.http(), admin.access_token);
  for (std::int64_t amount : {100, 200, 300}) {
    expect(deposit(app.http(), admin.access_token, treasury, amount), 201);
  }
  auto first = expect(
      app.http().get("/api/v1/wallets/" + treasury + "/entries?limit=2", admin.access_token), 200);
  const auto& page = first.at("data").as_array();
  REQUIRE(page.size() == 2);
  CHECK(page[0].at("balanceAfter").as_int64() == 600);
  CHECK(page[1].at("balanceAfter").as_int64() == 300);
  REQUIRE(first.at("nextCursor").is_string());
  auto second =
      expect(app.http().get(fmt::format("/api/v1/wallets/{}/entries?limit=2&cursor={}", treasury,
                                        first.at("nextCursor").as_string().c_str()),
                            admin.access_token),
             200);
  REQUIRE(second.at("data").as_array().size() == 1);
  CHECK(second.at("data").as_array()[0].at("balanceAfter").as_int64() == 100);
  CHECK(second.at("nextCursor").is_null());
}

TEST_CASE("ledger: a transfer moves money between two wallets of one currency") {
  TestApp app("ledger-transfer");
  auto admin = app.signup("transferor");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto employee_wallet = wallet_of_employee(hire(app.http(), admin.access_token, "payee"));
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);

  auto moved =
      expect(transfer(app.http(), admin.access_token, treasury, employee_wallet, 400), 201);
  CHECK(moved.at("type").as_string() == "TRANSFER");
  CHECK(moved.at("status").as_string() == "COMPLETED");
  CHECK(balance_of(app.http(), admin.access_token, treasury) == 600);
  CHECK(balance_of(app.http(), admin.access_token, employee_wallet) == 400);

  SECTION("more than the available money is 409 insufficient_funds, nothing written") {
    const auto before = written(app.sql());
    auto refused = transfer(app.http(), admin.access_token, treasury, employee_wallet, 601);
    auto body = expect(refused, 409);
    CHECK(body.at("code").as_string() == "insufficient_funds");
    CHECK(body.at("required").as_int64() == 601);
    CHECK(body.at("available").as_int64() == 600);
    CHECK(written(app.sql()) == before);
    CHECK(balance_of(app.http(), admin.access_token, treasury) == 600);
  }
  SECTION("a transfer between currencies is 400, nothing written") {
    auto euro =
        expect(app.http().post("/api/v1/wallets",
                               json::object{{"ownerType", "ORGANIZATION"}, {"currency", "EUR"}},
                               admin.access_token),
               201);
    const auto before = written(app.sql());
    auto refused = transfer(app.http(), admin.access_token, treasury,
                            std::string(euro.at("id").as_string()), 10);
    CHECK(problem_fields(refused, 400, "validation_failed").count("toWalletId") == 1);
    CHECK(written(app.sql()) == before);
  }
  SECTION("a transfer to the same wallet is 400") {
    auto refused = transfer(app.http(), admin.access_token, treasury, treasury, 10);
    CHECK(problem_fields(refused, 400, "validation_failed").count("toWalletId") == 1);
  }
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger: a withdrawal holds the money until it is completed or failed") {
  TestApp app("ledger-withdrawal");
  auto admin = app.signup("withdrawer");
  auto treasury = treasury_of(app.http(), admin.access_token);
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);

  auto pending = expect(withdraw(app.http(), admin.access_token, treasury, 700), 201);
  CHECK(pending.at("type").as_string() == "WITHDRAWAL");
  CHECK(pending.at("status").as_string() == "PENDING");
  auto held = wallet(app.http(), admin.access_token, treasury);
  CHECK(held.at("balance").as_int64() == 1000);
  CHECK(held.at("held").as_int64() == 700);
  CHECK(held.at("available").as_int64() == 300);
  // The held money cannot be spent twice.
  auto second = withdraw(app.http(), admin.access_token, treasury, 301);
  CHECK(expect(second, 409).at("code").as_string() == "insufficient_funds");
  const auto id = std::string(pending.at("id").as_string());

  SECTION("completing it sends the money out") {
    auto done = expect(settle(app.http(), admin.access_token, id, "complete",
                              json::object{{"externalReference", "solana:tx-1"}}),
                       200);
    CHECK(done.at("status").as_string() == "COMPLETED");
    CHECK(done.at("externalReference").as_string() == "solana:tx-1");
    auto after = wallet(app.http(), admin.access_token, treasury);
    CHECK(after.at("balance").as_int64() == 300);
    CHECK(after.at("held").as_int64() == 0);
    auto again =
        settle(app.http(), admin.access_token, id, "fail", json::object{{"reason", "too late"}});
    CHECK(expect(again, 409).at("code").as_string() == "invalid_state");
    auto detail = expect(app.http().get("/api/v1/transactions/" + id, admin.access_token), 200);
    // Created PENDING (the row and the logged change say it), then the change.
    const auto& history = detail.at("statusHistory").as_array();
    REQUIRE(history.size() == 2);
    CHECK(history[0].at("fromStatus").is_null());
    CHECK(history[0].at("toStatus").as_string() == "PENDING");
    CHECK(history[0].at("createdAt") == detail.at("createdAt"));
    CHECK(history[1].at("fromStatus").as_string() == "PENDING");
    CHECK(history[1].at("toStatus").as_string() == "COMPLETED");
    CHECK(detail.at("entries").as_array().size() == 2);
    // The money left the platform: reversing would let it be withdrawn twice.
    auto reversal = settle(app.http(), admin.access_token, id, "reverse",
                           json::object{{"reason", "came back"}});
    CHECK(expect(reversal, 409).at("code").as_string() == "invalid_state");
    CHECK(balance_of(app.http(), admin.access_token, treasury) == 300);
  }
  SECTION("failing it returns the held money") {
    auto failed = expect(settle(app.http(), admin.access_token, id, "fail",
                                json::object{{"reason", "address rejected"}}),
                         200);
    CHECK(failed.at("status").as_string() == "FAILED");
    CHECK(failed.at("failureReason").as_string() == "address rejected");
    auto after = wallet(app.http(), admin.access_token, treasury);
    CHECK(after.at("balance").as_int64() == 1000);
    CHECK(after.at("held").as_int64() == 0);
    auto detail = expect(app.http().get("/api/v1/transactions/" + id, admin.access_token), 200);
    CHECK(detail.at("entries").as_array().empty());
  }
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger: a reversal compensates once, and is never reversed itself") {
  TestApp app("ledger-reversal");
  auto admin = app.signup("reverser");
  auto treasury = treasury_of(app.http(), admin.access_token);
  auto employee_wallet = wallet_of_employee(hire(app.http(), admin.access_token, "bonus"));
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  auto bonus = id_of(transfer(app.http(), admin.access_token, treasury, employee_wallet, 250));

  auto reversal = expect(settle(app.http(), admin.access_token, bonus, "reverse",
                                json::object{{"reason", "paid twice"}}),
                         201);
  CHECK(reversal.at("type").as_string() == "REVERSAL");
  CHECK(reversal.at("reversalOfId").as_string() == bonus);
  CHECK(reversal.at("fromWalletId").as_string() == employee_wallet);
  auto original = expect(app.http().get("/api/v1/transactions/" + bonus, admin.access_token), 200);
  CHECK(original.at("reversedById").as_string() == reversal.at("id").as_string());
  CHECK(balance_of(app.http(), admin.access_token, treasury) == 1000);
  CHECK(balance_of(app.http(), admin.access_token, employee_wallet) == 0);

  auto twice =
      settle(app.http(), admin.access_token, bonus, "reverse", json::object{{"reason", "again"}});
  CHECK(expect(twice, 409).at("code").as_string() == "invalid_state");
  auto of_reversal =
      settle(app.http(), admin.access_token, std::string(reversal.at("id").as_string()), "reverse",
             json::object{{"reason", "undo the undo"}});
  CHECK(expect(of_reversal, 409).at("code").as_string() == "invalid_state");

  SECTION("a reversal the receiver can no longer pay is insufficient_funds") {
    auto paid = id_of(transfer(app.http(), admin.access_token, treasury, employee_wallet, 500));
    auto withdrawal = id_of(withdraw(app.http(), admin.access_token, employee_wallet, 400));
    (void)withdrawal;
    auto refused = settle(app.http(), admin.access_token, paid, "reverse",
                          json::object{{"reason", "clawback"}});
    auto body = expect(refused, 409);
    CHECK(body.at("code").as_string() == "insufficient_funds");
    CHECK(body.at("required").as_int64() == 500);
    CHECK(body.at("available").as_int64() == 100);
  }
  CHECK(reconciliation(app.http(), admin.access_token).at("ok").as_bool());
}

TEST_CASE("ledger: reconciliation reports a balance edited behind the ledger's back") {
  TestApp app("ledger-reconciliation");
  auto admin = app.signup("auditor");
  auto treasury = treasury_of(app.http(), admin.access_token);
  expect(deposit(app.http(), admin.access_token, treasury, 1000), 201);
  auto clean = reconciliation(app.http(), admin.access_token);
  CHECK(clean.at("ok").as_bool());
  CHECK(clean.at("wallets").as_int64() == 2);  // the treasury and the USD clearing wallet
  CHECK(clean.at("transactions").as_int64() == 1);

  SECTION("a hold that no longer matches its pending withdrawal is reported") {
    auto pending = id_of(withdraw(app.http(), admin.access_token, treasury, 100));
    app.sql().exec("UPDATE wallet.holds SET amount = 90 WHERE reference = $1", {pending});
    app.sql().exec("UPDATE wallet.wallets SET held = 90 WHERE id = $1", {treasury});
    auto broken = reconciliation(app.http(), admin.access_token);
    CHECK_FALSE(broken.at("ok").as_bool());
    REQUIRE(broken.at("mismatches").as_array().size() == 1);
    CHECK(broken.at("mismatches").as_array()[0].at("kind").as_string() == "hold_mismatch");
    CHECK(broken.at("mismatches").as_array()[0].at("transactionId").as_string() == pending);
    return;
  }
  app.sql().exec("UPDATE wallet.wallets SET balance = balance + 1 WHERE id = $1", {treasury});
  auto broken = reconciliation(app.http(), admin.access_token);
  CHECK_FALSE(broken.at("ok").as_bool());
  bool named = false;
  for (const auto& mismatch : broken.at("mismatches").as_array())
    named |= mismatch.at("kind").as_string() == "balance_mismatch" &&
             mismatch.at("walletId").as_string() == treasury;
  CHECK(named);
}
