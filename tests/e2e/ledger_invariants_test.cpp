// The ledger's invariants after a long random (fixed-seed) sequence of every kind of movement:
// every transaction balances, every balance equals its entries, no ordinary wallet is below zero,
// and each currency's balances sum to zero, clearing wallets included.
#include <map>
#include <random>
#include <vector>

#include "ledger_helpers.hpp"

namespace {

using namespace payrollx::test;
using namespace payrollx::test::ledger;

struct Books {
  std::vector<std::string> usd;
  std::vector<std::string> eur;
  std::vector<std::string> pending;    // withdrawals to settle
  std::vector<std::string> completed;  // transactions that may be reversed
};

class RandomLedger {
 public:
  RandomLedger(TestApp& app, std::string token, Books books)
      : app_(app), token_(std::move(token)), books_(std::move(books)) {}

  // One random operation; answers its status.
  int step() {
    const auto& wallets = pick(2) == 0 ? books_.usd : books_.eur;
    const auto amount = static_cast<std::int64_t>(1 + pick(5000));
    switch (pick(6)) {
      case 0:
        return record(deposit(app_.http(), token_, any_of(wallets), amount * 3), true);
      case 1: {
        auto from = any_of(wallets), to = any_of(wallets);
        if (from == to) return 0;
        return record(transfer(app_.http(), token_, from, to, amount), true);
      }
      case 2: {
        auto response = withdraw(app_.http(), token_, any_of(wallets), amount);
        if (response.status == 201) books_.pending.push_back(id_of(response));
        return response.status;
      }
      case 3:
      case 4: {
        if (books_.pending.empty()) return 0;
        auto index = pick(books_.pending.size());
        auto id = books_.pending[index];
        books_.pending.erase(books_.pending.begin() + static_cast<std::ptrdiff_t>(index));
        const bool complete = pick(2) == 0;
        auto response =
            complete ? settle(app_.http(), token_, id, "complete",
                              json::object{{"externalReference", "chain-tx"}})
                     : settle(app_.http(), token_, id, "fail", json::object{{"reason", "bounced"}});
        if (complete && response.status == 200) books_.completed.push_back(id);
        return response.status;
      }
      default: {
        if (books_.completed.empty()) return 0;
        auto index = pick(books_.completed.size());
        auto id = books_.completed[index];
        books_.completed.erase(books_.completed.begin() + static_cast<std::ptrdiff_t>(index));
        return settle(app_.http(), token_, id, "reverse", json::object{{"reason", "undo"}}).status;
      }
    }
  }

 private:
  int record(const HttpResponse& response, bool reversible) {
    if (response.status == 201 && reversible) books_.completed.push_back(id_of(response));
    return response.status;
  }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  const std::string& any_of(const std::vector<std::string>& wallets) {
    return wallets[pick(wallets.size())];
  }

  TestApp& app_;
  std::string token_;
  Books books_;
  std::mt19937_64 random_{20261125};
};

}  // namespace

TEST_CASE("ledger invariants: 2000 random movements leave the books exact") {
  TestApp app("ledger-invariants");
  auto admin = app.signup("random");
  auto& http = app.http();
  Books books;
  books.usd.push_back(treasury_of(http, admin.access_token));
  auto euro_treasury = expect(
      http.post("/api/v1/wallets", json::object{{"ownerType", "ORGANIZATION"}, {"currency", "EUR"}},
                admin.access_token),
      201);
  books.eur.emplace_back(euro_treasury.at("id").as_string());
  for (const auto* who : {"ana", "ben", "cyd"})
    books.usd.push_back(wallet_of_employee(hire(http, admin.access_token, who)));
  for (const auto* who : {"dora", "emil"})
    books.eur.push_back(wallet_of_employee(hire(http, admin.access_token, who, "EUR")));

  RandomLedger ledger(app, admin.access_token, books);
  std::map<int, int> outcomes;
  for (int i = 0; i < 2000; ++i) ++outcomes[ledger.step()];
  for (const auto& [status, count] : outcomes) {
    INFO(count << " answers with status " << status);
    CHECK((status == 0 || status == 200 || status == 201 || status == 409));
  }
  CHECK(outcomes[201] > 500);  // the sequence really moved money

  auto books_check = reconciliation(http, admin.access_token);
  INFO(json::serialize(books_check));
  CHECK(books_check.at("ok").as_bool());
  CHECK(books_check.at("mismatches").as_array().empty());
  CHECK(app.sql().count("SELECT count(*) FROM (SELECT currency FROM wallet.wallets "
                        "GROUP BY currency HAVING sum(balance) <> 0) nonzero") == 0);
  CHECK(app.sql().count("SELECT count(*) FROM wallet.wallets WHERE owner_type <> 'EXTERNAL' "
                        "AND (balance < 0 OR held > balance)") == 0);
  CHECK(app.sql().count("SELECT count(*) FROM (SELECT transaction_id FROM wallet.entries GROUP BY "
                        "transaction_id, currency HAVING sum(CASE direction WHEN 'CREDIT' THEN "
                        "amount ELSE -amount END) <> 0) unbalanced") == 0);
}
