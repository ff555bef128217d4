// The JSON-RPC client against the fake cluster: each call's answer, transactions sent and landed,
// commitment moving on, and every way a call fails becoming an RpcError.
#include <sodium.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "async.hpp"
#include "eventually.hpp"
#include "fake_solana.hpp"
#include "solana/address.hpp"
#include "solana/keypair.hpp"
#include "solana/message.hpp"
#include "solana/rpc.hpp"

using namespace payrollx::solana;
using boost::asio::awaitable;
using payrollx::test::FakeSolana;
using payrollx::test::FakeSolanaOptions;
using payrollx::test::IoThreads;
using payrollx::test::RpcFailure;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t k_sol = 1'000'000'000;
constexpr std::uint64_t k_fee = 5000;  // the fake's default, one signature

// A keypair from a fixed seed, through solana-keygen's JSON form.
Keypair keypair(std::uint8_t seed_byte) {
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  seed.fill(seed_byte);
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.data());
  std::string json = "[";
  for (const std::uint8_t byte : secret) json += std::to_string(byte) + ",";
  json.back() = ']';
  return Keypair::from_json(json);
}

PublicKey address(std::uint8_t byte) {
  PublicKey key;
  key.bytes.fill(byte);
  return key;
}

std::string error_text(const std::optional<SignatureStatus>& status) {
  REQUIRE(status);
  return status->error ? boost::json::serialize(*status->error) : "none";
}

// A fake cluster whose blocks come only from advance(), and a client of it.
struct Cluster {
  explicit Cluster(FakeSolanaOptions options = {.block_time = 0ms},
                   std::chrono::milliseconds timeout = 5s)
      : fake(options), client(RpcOptions{.url = fake.url(), .timeout = timeout}) {}

  std::uint64_t block_height(Commitment commitment) {
    return io.run(
        [&]() -> awaitable<std::uint64_t> { co_return co_await client.block_height(commitment); });
  }
  LatestBlockhash latest_blockhash(Commitment commitment = Commitment::finalized) {
    return io.run([&]() -> awaitable<LatestBlockhash> {
      co_return co_await client.latest_blockhash(commitment);
    });
  }
  std::string send(const std::vector<std::uint8_t>& bytes) {
    return io.run(
        [&]() -> awaitable<std::string> { co_return co_await client.send_transaction(bytes); });
  }
  std::vector<std::optional<SignatureStatus>> statuses(const std::vector<std::string>& signatures,
                                                       bool search_history = false) {
    return io.run([&]() -> awaitable<std::vector<std::optional<SignatureStatus>>> {
      co_return co_await client.signature_statuses(signatures, search_history);
    });
  }
  std::optional<SignatureStatus> status(const std::string& signature, bool search_history = false) {
    return statuses({signature}, search_history).at(0);
  }
  std::optional<AccountInfo> account(const PublicKey& key) {
    return io.run([&]() -> awaitable<std::optional<AccountInfo>> {
      co_return co_await client.account_info(key, Commitment::confirmed);
    });
  }

  // `instructions` paid and signed by `payer`, on a fresh blockhash.
  SignedTransaction transaction(const Keypair& payer,
                                const std::vector<Instruction>& instructions) {
    const Blockhash blockhash = latest_blockhash().blockhash;
    return sign_transaction(compile_legacy_message(payer.public_key(), blockhash, instructions),
                            payer);
  }

  IoThreads io{1};  // first: stopped last
  FakeSolana fake;
  RpcClient client;
};

}  // namespace

TEST_CASE("solana: rpc getBlockHeight answers the height at each commitment") {
  Cluster cluster;
  CHECK(cluster.block_height(Commitment::processed) == 1000);
  CHECK(cluster.block_height(Commitment::confirmed) == 999);
  CHECK(cluster.block_height(Commitment::finalized) == 997);
  cluster.fake.advance(5);
  CHECK(cluster.block_height(Commitment::processed) == 1005);
  CHECK(cluster.fake.calls("getBlockHeight") == 4);
}

TEST_CASE("solana: rpc the fake's blocks come on their own every block_time") {
  Cluster cluster(FakeSolanaOptions{.block_time = 5ms});
  const std::uint64_t start = cluster.block_height(Commitment::processed);
  CHECK(payrollx::test::eventually(
      [&] { return cluster.block_height(Commitment::processed) >= start + 3; }, 5s));
}

TEST_CASE("solana: rpc getLatestBlockhash answers a new blockhash and its last valid height") {
  Cluster cluster;
  const LatestBlockhash processed = cluster.latest_blockhash(Commitment::processed);
  const LatestBlockhash finalized = cluster.latest_blockhash(Commitment::finalized);
  CHECK(processed.last_valid_block_height == 1000 + 150);
  CHECK(finalized.last_valid_block_height == 997 + 150);
  CHECK(processed.blockhash != finalized.blockhash);
  CHECK(processed.blockhash != Blockhash{});
}

TEST_CASE("solana: rpc a SOL transfer is sent, lands and goes processed, confirmed, finalized") {
  Cluster cluster;
  const Keypair payer = keypair(1);
  const PublicKey employee = address(0x42);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const SignedTransaction signed_tx =
      cluster.transaction(payer, {system_transfer(payer.public_key(), employee, 250'000)});

  const std::string signature = cluster.send(signed_tx.bytes);
  CHECK(signature == to_base58(signed_tx.signature));
  CHECK_FALSE(cluster.status(signature));  // sent, not landed
  CHECK(cluster.fake.lamports(employee) == 0);

  cluster.fake.advance();
  auto status = cluster.status(signature);
  REQUIRE(status);
  CHECK(status->confirmation == Commitment::processed);
  CHECK(status->slot == cluster.fake.slot());
  CHECK_FALSE(status->error);
  CHECK(cluster.fake.lamports(employee) == 250'000);
  CHECK(cluster.fake.lamports(payer.public_key()) == k_sol - 250'000 - k_fee);

  cluster.fake.advance();
  CHECK(cluster.status(signature)->confirmation == Commitment::confirmed);
  cluster.fake.advance(2);
  CHECK(cluster.status(signature)->confirmation == Commitment::finalized);

  const auto payments = cluster.fake.paid_to(employee);
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].signature == signature);
  CHECK(payments[0].amount == 250'000);
  CHECK_FALSE(payments[0].mint);
}

TEST_CASE("solana: rpc statuses come in order, null for unknown signatures") {
  Cluster cluster;
  const Keypair payer = keypair(2);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::string first = cluster.send(
      cluster.transaction(payer, {system_transfer(payer.public_key(), address(1), 1)}).bytes);
  const std::string second = cluster.send(
      cluster.transaction(payer, {system_transfer(payer.public_key(), address(2), 2)}).bytes);
  cluster.fake.advance();
  const std::string unknown = to_base58(Signature{});
  const auto statuses = cluster.statuses({second, unknown, first});
  REQUIRE(statuses.size() == 3);
  CHECK(statuses[0]);
  CHECK_FALSE(statuses[1]);
  CHECK(statuses[2]);
  CHECK(cluster.statuses({}).empty());
}

TEST_CASE("solana: rpc a duplicate send answers the same signature and changes nothing") {
  Cluster cluster;
  const Keypair payer = keypair(3);
  const PublicKey employee = address(0x43);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const SignedTransaction signed_tx =
      cluster.transaction(payer, {system_transfer(payer.public_key(), employee, 1000)});

  const std::string signature = cluster.send(signed_tx.bytes);
  CHECK(cluster.send(signed_tx.bytes) == signature);  // before it lands
  cluster.fake.advance();
  CHECK(cluster.send(signed_tx.bytes) == signature);  // after
  cluster.fake.advance(3);

  CHECK(cluster.fake.sends() == 3);
  CHECK(cluster.fake.landed().size() == 1);
  CHECK(cluster.fake.lamports(employee) == 1000);
  CHECK(cluster.fake.paid_to(employee).size() == 1);
}

TEST_CASE("solana: rpc a transaction on an expired or unknown blockhash is refused") {
  Cluster cluster(FakeSolanaOptions{.block_time = 0ms, .blockhash_validity = 2});
  const Keypair payer = keypair(4);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::vector<Instruction> transfer = {system_transfer(payer.public_key(), address(5), 1)};
  const LatestBlockhash latest = cluster.latest_blockhash(Commitment::processed);
  const SignedTransaction signed_tx = sign_transaction(
      compile_legacy_message(payer.public_key(), latest.blockhash, transfer), payer);
  cluster.fake.advance(3);  // past its last valid height, 1000 + 2
  CHECK_THROWS_WITH(cluster.send(signed_tx.bytes), Catch::Contains("sendTransaction") &&
                                                       Catch::Contains("-32002") &&
                                                       Catch::Contains("Blockhash not found"));

  const Blockhash never_issued{7};
  const std::vector<std::uint8_t> message =
      compile_legacy_message(payer.public_key(), never_issued, transfer);
  CHECK_THROWS_WITH(cluster.send(sign_transaction(message, payer).bytes),
                    Catch::Contains("Blockhash not found"));
  cluster.fake.advance(5);
  CHECK(cluster.fake.landed().empty());
}

TEST_CASE("solana: rpc a transaction whose blockhash expires before it lands never lands") {
  Cluster cluster(
      FakeSolanaOptions{.block_time = 0ms, .blockhash_validity = 1, .landing_delay = 3});
  const Keypair payer = keypair(5);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const LatestBlockhash latest = cluster.latest_blockhash(Commitment::processed);
  const SignedTransaction signed_tx =
      sign_transaction(compile_legacy_message(payer.public_key(), latest.blockhash,
                                              {system_transfer(payer.public_key(), address(6), 1)}),
                       payer);
  const std::string signature = cluster.send(signed_tx.bytes);
  cluster.fake.advance(10);
  CHECK_FALSE(cluster.status(signature, true));
  CHECK(cluster.block_height(Commitment::finalized) > latest.last_valid_block_height);
}

TEST_CASE("solana: rpc JSON-RPC errors become RpcErrors with their code and message") {
  Cluster cluster;
  const Keypair payer = keypair(6);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  SignedTransaction signed_tx =
      cluster.transaction(payer, {system_transfer(payer.public_key(), address(7), 1)});

  SECTION("a signature that does not verify") {
    signed_tx.bytes[1] ^= 0x01;  // the first signature's first byte
    CHECK_THROWS_WITH(
        cluster.send(signed_tx.bytes),
        Catch::Contains("-32003") && Catch::Contains("Transaction signature verification failure"));
  }
  SECTION("bytes that are not a transaction") {
    CHECK_THROWS_AS(cluster.send({1, 2, 3}), RpcError);
    CHECK_THROWS_WITH(cluster.send({1, 2, 3}), Catch::Contains("-32602"));
  }
  SECTION("more signatures than a node reads") {
    const std::vector<std::string> signatures(257, to_base58(Signature{}));
    CHECK_THROWS_WITH(cluster.statuses(signatures), Catch::Contains("Too many inputs"));
  }
  cluster.fake.advance(5);
  CHECK(cluster.fake.landed().empty());
}

TEST_CASE("solana: rpc an outage is an RpcError, and the next call after it succeeds") {
  Cluster cluster;
  SECTION("HTTP 503") {
    cluster.fake.set_outage(true);
    CHECK_THROWS_WITH(cluster.block_height(Commitment::finalized),
                      Catch::Contains("getBlockHeight") && Catch::Contains("HTTP 503"));
    CHECK_THROWS_AS(cluster.latest_blockhash(), RpcError);
  }
  SECTION("the connection closed without an answer") {
    cluster.fake.set_outage(true, RpcFailure::close_connection);
    CHECK_THROWS_AS(cluster.block_height(Commitment::finalized), RpcError);
    CHECK_THROWS_AS(cluster.account(address(1)), RpcError);
  }
  SECTION("one failure scripted") {
    cluster.fake.fail_next(1);
    CHECK_THROWS_AS(cluster.block_height(Commitment::finalized), RpcError);
  }
  cluster.fake.set_outage(false);
  CHECK(cluster.block_height(Commitment::processed) == 1000);
}

TEST_CASE("solana: rpc a call that outlasts the timeout is an RpcError") {
  Cluster cluster(FakeSolanaOptions{.block_time = 0ms, .answer_delay = 2s}, 200ms);
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(cluster.block_height(Commitment::finalized),
                    Catch::Contains("no answer within 200 ms"));
  CHECK(std::chrono::steady_clock::now() - start < 1500ms);
}

TEST_CASE("solana: rpc getAccountInfo is null for a missing account, lamports and owner else") {
  Cluster cluster;
  const PublicKey wallet = address(0x44);
  const PublicKey mint = address(0x99);
  CHECK_FALSE(cluster.account(wallet));
  cluster.fake.fund_lamports(wallet, 12345);
  const auto plain = cluster.account(wallet);
  REQUIRE(plain);
  CHECK(plain->lamports == 12345);
  CHECK(plain->owner == system_program());

  const PublicKey token_account = cluster.fake.fund_tokens(wallet, mint, 10);
  CHECK(token_account == associated_token_address(wallet, mint));
  const auto token = cluster.account(token_account);
  REQUIRE(token);
  CHECK(token->owner == token_program());
  CHECK(token->lamports > 0);
}

TEST_CASE("solana: rpc a USDC TransferChecked after CreateIdempotent lands and moves the balance") {
  Cluster cluster;
  const Keypair custody = keypair(7);
  const PublicKey employee = address(0x45);
  const PublicKey usdc = address(0x55);
  const PublicKey source = cluster.fake.fund_tokens(custody.public_key(), usdc, 100'000'000);
  cluster.fake.fund_lamports(custody.public_key(), k_sol);
  const PublicKey destination = associated_token_address(employee, usdc);
  CHECK_FALSE(cluster.account(destination));

  const std::vector<Instruction> instructions = {
      create_associated_token_account_idempotent(custody.public_key(), destination, employee, usdc),
      token_transfer_checked(source, usdc, destination, custody.public_key(), 25'000'000, 6)};
  const std::string signature = cluster.send(cluster.transaction(custody, instructions).bytes);
  cluster.fake.advance();

  CHECK(error_text(cluster.status(signature)) == "none");
  CHECK(cluster.fake.token_balance(employee, usdc) == 25'000'000);
  CHECK(cluster.fake.token_balance(custody.public_key(), usdc) == 75'000'000);
  REQUIRE(cluster.account(destination));
  CHECK(cluster.account(destination)->owner == token_program());
  const auto payments = cluster.fake.paid_to(employee);
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].mint == usdc);
  CHECK(payments[0].amount == 25'000'000);

  // Again with the account in place: CreateIdempotent changes nothing, the transfer goes through.
  const std::string again = cluster.send(cluster.transaction(custody, instructions).bytes);
  cluster.fake.advance();
  CHECK(error_text(cluster.status(again)) == "none");
  CHECK(cluster.fake.token_balance(employee, usdc) == 50'000'000);
}

TEST_CASE("solana: rpc a transfer that fails on chain lands with its err and applies nothing") {
  Cluster cluster;
  const Keypair custody = keypair(8);
  const PublicKey employee = address(0x46);
  const PublicKey usdc = address(0x56);
  const PublicKey source = cluster.fake.fund_tokens(custody.public_key(), usdc, 1'000'000);
  cluster.fake.fund_lamports(custody.public_key(), k_sol);
  const PublicKey destination = cluster.fake.fund_tokens(employee, usdc, 0);

  std::vector<Instruction> instructions;
  std::string expected;
  SECTION("more lamports than the payer has") {
    instructions = {system_transfer(custody.public_key(), employee, 2 * k_sol)};
    expected = R"({"InstructionError":[0,{"Custom":1}]})";
  }
  SECTION("the wrong decimals") {
    instructions = {token_transfer_checked(source, usdc, destination, custody.public_key(), 1, 9)};
    expected = R"({"InstructionError":[0,{"Custom":18}]})";
  }
  SECTION("into a token account that does not exist") {
    const PublicKey missing = associated_token_address(address(0x47), usdc);
    instructions = {token_transfer_checked(source, usdc, missing, custody.public_key(), 1, 6)};
    expected = R"({"InstructionError":[0,"InvalidAccountData"]})";
  }
  SECTION("a destination scripted to fail, after an instruction that succeeds") {
    cluster.fake.fail_on_land(employee);
    instructions = {system_transfer(custody.public_key(), address(0x48), 1000),
                    token_transfer_checked(source, usdc, destination, custody.public_key(), 1, 6)};
    expected = R"({"InstructionError":[1,{"Custom":1}]})";
  }
  const std::string signature = cluster.send(cluster.transaction(custody, instructions).bytes);
  cluster.fake.advance();

  CHECK(error_text(cluster.status(signature)) == expected);
  REQUIRE(cluster.fake.landed().size() == 1);
  CHECK(cluster.fake.landed()[0].err == expected);
  CHECK(cluster.fake.lamports(custody.public_key()) == k_sol - k_fee);  // the fee only
  CHECK(cluster.fake.lamports(address(0x48)) == 0);
  CHECK(cluster.fake.token_balance(custody.public_key(), usdc) == 1'000'000);
  CHECK(cluster.fake.paid_to(employee).empty());
}

TEST_CASE("solana: rpc a dropped transaction never lands, however often it is sent") {
  Cluster cluster;
  const Keypair payer = keypair(9);
  const PublicKey employee = address(0x49);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::vector<Instruction> transfer = {system_transfer(payer.public_key(), employee, 7)};
  const SignedTransaction dropped = cluster.transaction(payer, transfer);
  cluster.fake.drop_next(1);
  const std::string signature = cluster.send(dropped.bytes);
  cluster.fake.advance(5);
  CHECK(cluster.send(dropped.bytes) == signature);
  cluster.fake.advance(5);
  CHECK_FALSE(cluster.status(signature, true));

  // Signed again on a new blockhash: a new transaction, which lands.
  const std::string resigned = cluster.send(cluster.transaction(payer, transfer).bytes);
  CHECK(resigned != signature);
  cluster.fake.advance();
  CHECK(cluster.status(resigned));
  CHECK(cluster.fake.paid_to(employee).size() == 1);
}

TEST_CASE("solana: rpc old statuses need searchTransactionHistory") {
  Cluster cluster(FakeSolanaOptions{.block_time = 0ms, .status_cache_blocks = 5});
  const Keypair payer = keypair(10);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::string signature = cluster.send(
      cluster.transaction(payer, {system_transfer(payer.public_key(), address(0x4a), 1)}).bytes);
  cluster.fake.advance(10);
  CHECK_FALSE(cluster.status(signature, false));
  const auto status = cluster.status(signature, true);
  REQUIRE(status);
  CHECK(status->confirmation == Commitment::finalized);
}
