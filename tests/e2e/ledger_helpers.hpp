#pragma once
// Steps shared by the wallet and transaction end-to-end tests (tests/e2e/ledger_*_test.cpp):
// money-moving requests with their Idempotency-Key, wallets, employees and balances.
#include <fmt/format.h>

#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "test_app.hpp"

namespace payrollx::test::ledger {

namespace json = boost::json;

// A fresh Idempotency-Key per call: tests that are not about replays never collide.
inline std::string new_key() {
  static std::atomic<int> counter{0};
  return fmt::format("test-key-{}-{}", ::getpid(), ++counter);
}

inline HttpResponse post_money(HttpClient& http, const std::string& path, const json::value& body,
                               const std::string& token, const std::string& key = new_key()) {
  return http.post(path, body, token, {{"Idempotency-Key", key}});
}

inline HttpResponse deposit(HttpClient& http, const std::string& token,
                            const std::string& wallet_id, std::int64_t amount,
                            const std::string& key = new_key()) {
  return post_money(http, fmt::format("/api/v1/wallets/{}/deposits", wallet_id),
                    json::object{{"amount", amount}, {"reference", "bank transfer 42"}}, token,
                    key);
}

inline HttpResponse transfer(HttpClient& http, const std::string& token, const std::string& from,
                             const std::string& to, std::int64_t amount,
                             const std::string& key = new_key()) {
  return post_money(
      http, "/api/v1/transfers",
      json::object{
          {"fromWalletId", from}, {"toWalletId", to}, {"amount", amount}, {"type", "TRANSFER"}},
      token, key);
}

// A Solana address (base58 of 32 bytes) to withdraw to.
inline constexpr auto k_destination = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";

inline HttpResponse withdraw(HttpClient& http, const std::string& token,
                             const std::string& wallet_id, std::int64_t amount,
                             const std::string& key = new_key()) {
  return post_money(http, fmt::format("/api/v1/wallets/{}/withdrawals", wallet_id),
                    json::object{{"amount", amount}, {"destinationAddress", k_destination}}, token,
                    key);
}

inline HttpResponse settle(HttpClient& http, const std::string& token,
                           const std::string& transaction_id, const std::string& action,
                           const json::object& body) {
  return post_money(http, fmt::format("/api/v1/transactions/{}/{}", transaction_id, action), body,
                    token);
}

inline std::string id_of(const HttpResponse& response) {
  INFO(response.status << " " << response.body);
  return std::string(response.json().at("id").as_string());
}

// The answer must be `status`; returns its JSON object.
inline json::object expect(const HttpResponse& response, int status) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == status);
  return response.json().as_object();
}

// The organisation's treasury (its ORGANIZATION wallet in the base currency).
inline std::string treasury_of(HttpClient& http, const std::string& token) {
  auto wallets = expect(http.get("/api/v1/wallets", token), 200);
  for (const auto& wallet : wallets.at("data").as_array())
    if (wallet.at("ownerType").as_string() == "ORGANIZATION")
      return std::string(wallet.at("id").as_string());
  FAIL("the organisation has no treasury wallet");
  return {};
}

inline json::object wallet(HttpClient& http, const std::string& token, const std::string& id) {
  return expect(http.get("/api/v1/wallets/" + id, token), 200);
}

inline std::int64_t balance_of(HttpClient& http, const std::string& token, const std::string& id) {
  return wallet(http, token, id).at("balance").as_int64();
}

// An employee (with their wallet in `currency`); answers the employee object.
inline json::object hire(HttpClient& http, const std::string& token, const std::string& who,
                         const std::string& currency = "USD", bool user_account = false) {
  json::object body{
      {"firstName", who},
      {"lastName", "Tester"},
      {"email", fmt::format("{}@employees.example.com", who)},
      {"hireDate", "2026-01-05"},
      {"salary", json::object{{"amount", 6000000}, {"currency", currency}, {"period", "ANNUAL"}}}};
  if (user_account) body["createUserAccount"] = true;
  return expect(http.post("/api/v1/employees", body, token), 201);
}

inline std::string wallet_of_employee(const json::object& employee) {
  return std::string(employee.at("walletId").as_string());
}

inline json::object reconciliation(HttpClient& http, const std::string& token) {
  return expect(http.get("/api/v1/ledger/reconciliation", token), 200);
}

}  // namespace payrollx::test::ledger
