#pragma once
// The world of the settlement tests (tests/e2e/settlement_*_test.cpp): a fake Solana cluster on
// loopback, a custody keypair file it funds, and the real server with the Solana adapter on,
// pointed at both; an organisation with SOL and USDC wallets holding money to withdraw.
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "eventually.hpp"
#include "fake_solana.hpp"
#include "ledger_helpers.hpp"
#include "solana/address.hpp"

namespace payrollx::test::settlement {

using namespace payrollx::test::ledger;

// A mint of the fake cluster's own, named by PAYROLLX_SOLANA_USDC_MINT.
inline solana::PublicKey usdc_mint() {
  return *solana::PublicKey::from_base58("Gh9ZwEmdLJ8DscKNTkTqPbNwLNNBjuSzaG9Vp2KGtKJr");
}

// A fresh wallet address to withdraw to: a random Ed25519 public key.
inline std::string new_address() {
  solana::PublicKey key;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_keypair(key.bytes.data(), secret.data());
  return key.to_base58();
}

inline solana::PublicKey key_of(const std::string& address) {
  return *solana::PublicKey::from_base58(address);
}

// solana-keygen's file: the 64 bytes of libsodium's secret key (seed, then public key) as a JSON
// array, readable by its owner only (`mode`).
struct CustodyFile {
  std::filesystem::path path;
  solana::PublicKey public_key;

  explicit CustodyFile(const std::string& label, mode_t mode = 0600) {
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
    crypto_sign_keypair(public_key.bytes.data(), secret.data());
    path = std::filesystem::temp_directory_path() /
           fmt::format("payrollx-custody-{}-{}.json", label, ::getpid());
    std::ofstream out(path);
    out << '[';
    for (std::size_t i = 0; i < secret.size(); ++i) out << (i ? "," : "") << int(secret[i]);
    out << ']';
    out.close();
    ::chmod(path.c_str(), mode);
  }
  ~CustodyFile() { std::filesystem::remove(path); }
  CustodyFile(const CustodyFile&) = delete;
  CustodyFile& operator=(const CustodyFile&) = delete;
};

inline ServerSettings solana_settings(const FakeSolana& chain, const CustodyFile& custody,
                                      std::vector<std::pair<std::string, std::string>> extra = {}) {
  ServerSettings settings;
  settings.env = {{"PAYROLLX_SOLANA_RPC_URL", chain.url()},
                  {"PAYROLLX_SOLANA_KEYPAIR_FILE", custody.path.string()},
                  {"PAYROLLX_SOLANA_USDC_MINT", usdc_mint().to_base58()},
                  {"PAYROLLX_SOLANA_RETRY_BACKOFF_MS", "50"}};
  for (auto& setting : extra) settings.env.push_back(std::move(setting));
  return settings;
}

// The custody account holds plenty of SOL and USDC on the fake cluster.
inline void fund_custody(FakeSolana& chain, const CustodyFile& custody) {
  chain.fund_lamports(custody.public_key, 1'000'000'000'000);
  chain.fund_tokens(custody.public_key, usdc_mint(), 1'000'000'000'000);
}

// An organisation wallet in `currency` holding `amount`.
inline std::string funded_wallet(HttpClient& http, const std::string& token,
                                 const std::string& currency, std::int64_t amount) {
  auto created =
      expect(http.post("/api/v1/wallets",
                       json::object{{"ownerType", "ORGANIZATION"}, {"currency", currency}}, token),
             201);
  auto id = std::string(created.at("id").as_string());
  expect(deposit(http, token, id, amount), 201);
  return id;
}

// One test's world: the fake cluster, a funded custody key, the real server with the Solana
// adapter on (and `extra` settings), an organisation's admin, and one organisation wallet in
// `currency` holding `amount`. Its members bind by name:
//   auto& [chain, custody, app, admin, wallet] = world;
struct SolanaWorld {
  FakeSolana chain;
  CustodyFile custody;
  TestApp app;
  SignedUp admin;
  std::string wallet;

  explicit SolanaWorld(const std::string& label, FakeSolanaOptions options = {},
                       std::vector<std::pair<std::string, std::string>> extra = {},
                       const std::string& currency = "SOL", std::int64_t amount = 1'000'000'000)
      : chain(options),
        custody(label),
        app("settlement-" + label, solana_settings(chain, custody, std::move(extra))),
        admin(app.signup(label)) {
    fund_custody(chain, custody);
    wallet = funded_wallet(app.http(), admin.access_token, currency, amount);
  }

  // A withdrawal of `amount` from the wallet to `destination`, once it left PENDING.
  json::object withdrawn(std::int64_t amount, const std::string& destination);
};

inline json::object withdraw_to(HttpClient& http, const std::string& token,
                                const std::string& wallet_id, std::int64_t amount,
                                const std::string& address) {
  return expect(
      post_money(http, fmt::format("/api/v1/wallets/{}/withdrawals", wallet_id),
                 json::object{{"amount", amount}, {"destinationAddress", address}}, token),
      201);
}

inline json::object transaction(HttpClient& http, const std::string& token, const std::string& id) {
  return expect(http.get("/api/v1/transactions/" + id, token), 200);
}

// Waits until the transaction leaves PENDING (or `timeout`); answers it as it then is.
inline json::object settled(HttpClient& http, const std::string& token, const std::string& id,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  json::object last;
  eventually(
      [&] {
        last = transaction(http, token, id);
        return last.at("status").as_string() != "PENDING";
      },
      timeout, std::chrono::milliseconds(50));
  return last;
}

inline std::string id_of_object(const json::object& object) {
  return std::string(object.at("id").as_string());
}

inline json::object wallet_json(HttpClient& http, const std::string& token, const std::string& id) {
  return ledger::wallet(http, token, id);
}

inline json::object SolanaWorld::withdrawn(std::int64_t amount, const std::string& destination) {
  auto requested = withdraw_to(app.http(), admin.access_token, wallet, amount, destination);
  return settled(app.http(), admin.access_token, id_of_object(requested));
}

inline std::string settlement_status(const json::object& transaction) {
  const auto& settlement = transaction.at("settlement").as_object();
  if (!settlement.contains("status")) return "";
  return std::string(settlement.at("status").as_string());
}

}  // namespace payrollx::test::settlement
