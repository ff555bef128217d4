// The JSON-RPC client against the fake cluster: each call's answer, transactions sent and landed,
// commitment moving on, pruned and lagging nodes, memos, and every way a call fails becoming an
// RpcError.
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
#include "http_client.hpp"
#include "solana/address.hpp"
#include "solana/keypair.hpp"
#include "solana/message.hpp"
#include "solana/rpc.hpp"

using namespace payrollx::solana;
using boost::asio::awaitable;
using payrollx::test::ChainInstruction;
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

// The SPL Memo v2 program's id, and a memo instruction built by hand (not with message.hpp's
// builder, so that the fake is checked against the program's own shape): `text` as data, and
// `accounts`, which the program requires to sign.
PublicKey memo_program_id() {
  return *PublicKey::from_base58("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
}

Instruction memo_instruction(std::string_view text, std::vector<AccountMeta> accounts = {}) {
  return Instruction{.program = memo_program_id(),
                     .accounts = std::move(accounts),
                     .data = std::vector<std::uint8_t>(text.begin(), text.end())};
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
  SignatureStatuses statuses(const std::vector<std::string>& signatures,
                             bool search_history = false) {
    return io.run([&]() -> awaitable<SignatureStatuses> {
      co_return co_await client.signature_statuses(signatures, search_history);
    });
  }
  std::optional<SignatureStatus> status(const std::string& signature, bool search_history = false) {
    return statuses({signature}, search_history).statuses.at(0);
  }
  EpochInfo epoch_info(Commitment commitment) {
    return io.run(
        [&]() -> awaitable<EpochInfo> { co_return co_await client.epoch_info(commitment); });
  }
  std::uint64_t minimum_ledger_slot() {
    return io.run(
        [&]() -> awaitable<std::uint64_t> { co_return co_await client.minimum_ledger_slot(); });
  }
  // The `result` of a request sent by hand, for the fields the client does not read.
  boost::json::value raw_result(const std::string& method, boost::json::array params) {
    const std::string url = fake.url();  // "http://127.0.0.1:<port>/"
    const auto port = static_cast<std::uint16_t>(
        std::stoi(url.substr(url.rfind(':') + 1, url.size() - url.rfind(':') - 2)));
    payrollx::test::HttpClient http(port);
    const auto response = http.post(
        "/", boost::json::object{
                 {"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", std::move(params)}});
    REQUIRE(response.status == 200);
    return response.json().at("result");
  }
  // A transfer of `lamports` from `payer` to `to`, sent: its signature.
  std::string send_transfer(const Keypair& payer, const PublicKey& to, std::uint64_t lamports) {
    return send(transaction(payer, {system_transfer(payer.public_key(), to, lamports)}).bytes);
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
  // Answered from the block at that commitment, whose slot runs ahead of its height.
  CHECK(processed.context_slot == cluster.fake.slot());
  CHECK(finalized.context_slot < processed.context_slot);
  CHECK(finalized.context_slot >= 997);
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
  const SignatureStatuses answer = cluster.statuses({second, unknown, first});
  CHECK(answer.context_slot == cluster.fake.slot());
  const auto& statuses = answer.statuses;
  REQUIRE(statuses.size() == 3);
  CHECK(statuses[0]);
  CHECK_FALSE(statuses[1]);
  CHECK(statuses[2]);
  CHECK(cluster.statuses({}).statuses.empty());
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

TEST_CASE("solana: rpc getEpochInfo answers the slot and height of the block at each commitment") {
  Cluster cluster;
  const Keypair payer = keypair(11);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  cluster.send_transfer(payer, address(0x4b), 1);
  cluster.fake.advance(2);  // landed at 1001; the height is 1002

  const EpochInfo processed = cluster.epoch_info(Commitment::processed);
  const EpochInfo confirmed = cluster.epoch_info(Commitment::confirmed);
  const EpochInfo finalized = cluster.epoch_info(Commitment::finalized);
  CHECK(processed.block_height == 1002);
  CHECK(processed.absolute_slot == cluster.fake.slot());
  CHECK(confirmed.block_height == 1001);
  CHECK(finalized.block_height == 999);
  CHECK(finalized.block_height == cluster.block_height(Commitment::finalized));
  for (const EpochInfo& info : {processed, confirmed, finalized})
    CHECK(info.absolute_slot >= info.block_height);
  CHECK(finalized.absolute_slot < confirmed.absolute_slot);
  CHECK(confirmed.absolute_slot < processed.absolute_slot);
  // The transaction's block is the confirmed one.
  REQUIRE(cluster.fake.landed().size() == 1);
  CHECK(confirmed.absolute_slot == cluster.fake.landed()[0].slot);

  // The fields the client does not read, as a node gives them.
  const auto raw = cluster.raw_result(
      "getEpochInfo", boost::json::array{boost::json::object{{"commitment", "confirmed"}}});
  CHECK(raw.at("absoluteSlot").to_number<std::uint64_t>() == confirmed.absolute_slot);
  CHECK(raw.at("blockHeight").to_number<std::uint64_t>() == 1001);
  CHECK(raw.at("epoch").to_number<std::uint64_t>() == 0);
  CHECK(raw.at("slotIndex").to_number<std::uint64_t>() == confirmed.absolute_slot);
  CHECK(raw.at("slotsInEpoch").to_number<std::uint64_t>() == 432'000);
  CHECK(raw.at("transactionCount").to_number<std::uint64_t>() == 1);
  const auto finalized_raw = cluster.raw_result("getEpochInfo", boost::json::array{});
  CHECK(finalized_raw.at("blockHeight").to_number<std::uint64_t>() == 999);  // the default
  CHECK(finalized_raw.at("transactionCount").to_number<std::uint64_t>() == 0);
  CHECK(cluster.fake.calls("getEpochInfo") == 5);
}

TEST_CASE("solana: rpc a pruned node answers minimumLedgerSlot and null for what it dropped") {
  Cluster cluster;
  const Keypair payer = keypair(12);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  CHECK(cluster.minimum_ledger_slot() == 0);
  const std::string old = cluster.send_transfer(payer, address(0x4c), 1);
  cluster.fake.advance(5);
  REQUIRE(cluster.fake.landed().size() == 1);
  const std::uint64_t landed_slot = cluster.fake.landed()[0].slot;

  cluster.fake.set_minimum_ledger_slot(landed_slot);  // its block still held
  CHECK(cluster.minimum_ledger_slot() == landed_slot);
  REQUIRE(cluster.status(old, true));
  CHECK(cluster.status(old, true)->confirmation == Commitment::finalized);

  cluster.fake.set_minimum_ledger_slot(landed_slot + 1);
  CHECK(cluster.minimum_ledger_slot() == landed_slot + 1);
  CHECK_FALSE(cluster.status(old, true));
  CHECK_FALSE(cluster.status(old, false));
  CHECK(cluster.fake.paid_to(address(0x4c)).size() == 1);  // pruned, still paid

  // What lands after the pruned slots is answered as before.
  const std::string recent = cluster.send_transfer(payer, address(0x4d), 1);
  cluster.fake.advance();
  CHECK(cluster.status(recent, true));
  CHECK_THROWS_AS(cluster.fake.set_minimum_ledger_slot(cluster.fake.slot() + 1),
                  std::invalid_argument);
  CHECK(cluster.fake.calls("minimumLedgerSlot") == 3);
}

TEST_CASE("solana: rpc a lagging status node answers from an older block than the others") {
  Cluster cluster;  // confirmed one block after landing, finalized three
  const Keypair payer = keypair(13);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::string first = cluster.send_transfer(payer, address(0x4e), 1);
  cluster.fake.advance(7);  // landed at 1001; the height is 1007
  cluster.fake.set_status_lag(5);
  const std::string second = cluster.send_transfer(payer, address(0x4f), 1);
  cluster.fake.advance();  // landed at 1008; the status node is at 1003
  REQUIRE(cluster.fake.landed().size() == 2);
  const std::uint64_t second_slot = cluster.fake.landed()[1].slot;

  const SignatureStatuses answer = cluster.statuses({first, second});
  CHECK(answer.context_slot < second_slot);
  CHECK(answer.context_slot < cluster.fake.slot());
  REQUIRE(answer.statuses.size() == 2);
  REQUIRE(answer.statuses[0]);
  // Two blocks deep as that node sees it: confirmed, not yet the finalized it is by now.
  CHECK(answer.statuses[0]->confirmation == Commitment::confirmed);
  CHECK_FALSE(answer.statuses[1]);  // not seen there yet
  CHECK_FALSE(cluster.status(second, true));

  // The other node behind the balancer: finalized there is ahead of the status node.
  const EpochInfo finalized = cluster.epoch_info(Commitment::finalized);
  CHECK(finalized.block_height == 1005);
  CHECK(finalized.absolute_slot > answer.context_slot);
  CHECK(cluster.block_height(Commitment::processed) == 1008);

  cluster.fake.set_status_lag(0);
  const SignatureStatuses caught_up = cluster.statuses({first, second});
  CHECK(caught_up.context_slot == cluster.fake.slot());
  REQUIRE(caught_up.statuses[0]);
  CHECK(caught_up.statuses[0]->confirmation == Commitment::finalized);
  REQUIRE(caught_up.statuses[1]);
  CHECK(caught_up.statuses[1]->confirmation == Commitment::processed);
}

TEST_CASE("solana: rpc a node without confirmationStatus reads as processed until rooted") {
  Cluster cluster(FakeSolanaOptions{.block_time = 0ms, .omit_confirmation_status = true});
  const Keypair payer = keypair(14);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::string signature = cluster.send_transfer(payer, address(0x50), 1);
  const auto raw_status = [&] {
    const auto raw = cluster.raw_result("getSignatureStatuses",
                                        boost::json::array{boost::json::array{signature.c_str()}});
    return raw.at("value").at(0).as_object();
  };

  cluster.fake.advance();  // processed
  CHECK_FALSE(raw_status().contains("confirmationStatus"));
  CHECK(raw_status().at("confirmations") == 0);
  REQUIRE(cluster.status(signature));
  CHECK(cluster.status(signature)->confirmation == Commitment::processed);

  cluster.fake.advance();  // confirmed, which this node cannot say
  CHECK(raw_status().at("confirmations") == 1);
  CHECK(cluster.status(signature)->confirmation == Commitment::processed);

  cluster.fake.advance(2);  // finalized: confirmations null
  CHECK(raw_status().at("confirmations").is_null());
  CHECK_FALSE(raw_status().contains("confirmationStatus"));
  CHECK(cluster.status(signature)->confirmation == Commitment::finalized);
}

TEST_CASE("solana: rpc a transfer with a memo lands with the memo recorded") {
  Cluster cluster;
  const Keypair payer = keypair(15);
  const PublicKey employee = address(0x51);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  const std::string text = "withdrawal 5d0c7a8e-1f2b-4c3d-9e8f-0a1b2c3d4e5f \xc3\xa9t\xc3\xa9";
  std::vector<AccountMeta> signers;
  SECTION("no accounts") {}
  SECTION("signed by the payer") {
    signers = {AccountMeta{.key = payer.public_key(), .signer = true, .writable = false}};
  }
  const std::string signature =
      cluster.send(cluster
                       .transaction(payer, {system_transfer(payer.public_key(), employee, 3000),
                                            memo_instruction(text, signers)})
                       .bytes);
  cluster.fake.advance();

  CHECK(error_text(cluster.status(signature)) == "none");
  const auto landed = cluster.fake.landed();
  REQUIRE(landed.size() == 1);
  REQUIRE(landed[0].instructions.size() == 2);
  CHECK(landed[0].instructions[0].kind == ChainInstruction::Kind::system_transfer);
  CHECK(landed[0].instructions[1].kind == ChainInstruction::Kind::memo);
  CHECK(landed[0].instructions[1].program == memo_program_id());
  CHECK(landed[0].instructions[1].memo == text);
  CHECK(cluster.fake.lamports(employee) == 3000);
  CHECK(cluster.fake.lamports(payer.public_key()) == k_sol - 3000 - k_fee);
  const auto payments = cluster.fake.paid_to(employee);
  REQUIRE(payments.size() == 1);
  CHECK(payments[0].amount == 3000);
}

TEST_CASE("solana: rpc a memo the program refuses lands with an err and applies nothing") {
  Cluster cluster;
  const Keypair payer = keypair(16);
  const PublicKey employee = address(0x52);
  cluster.fake.fund_lamports(payer.public_key(), k_sol);
  Instruction refused;
  std::string expected;
  SECTION("not UTF-8") {
    refused = memo_instruction("withdrawal \xff\xfe");
    expected = R"({"InstructionError":[1,"InvalidInstructionData"]})";
  }
  SECTION("a surrogate, which UTF-8 does not encode") {
    refused = memo_instruction("\xed\xa0\x80");
    expected = R"({"InstructionError":[1,"InvalidInstructionData"]})";
  }
  SECTION("an account that does not sign") {
    refused = memo_instruction("withdrawal", {AccountMeta{.key = address(0x53)}});
    expected = R"({"InstructionError":[1,"MissingRequiredSignature"]})";
  }
  const std::string signature = cluster.send(
      cluster.transaction(payer, {system_transfer(payer.public_key(), employee, 3000), refused})
          .bytes);
  cluster.fake.advance();

  CHECK(error_text(cluster.status(signature)) == expected);
  const auto landed = cluster.fake.landed();
  REQUIRE(landed.size() == 1);
  CHECK(landed[0].err == expected);
  REQUIRE(landed[0].instructions.size() == 2);
  CHECK(landed[0].instructions[1].kind == ChainInstruction::Kind::memo);
  CHECK(landed[0].instructions[1].memo ==
        std::string(refused.data.begin(), refused.data.end()));  // the bytes as sent
  CHECK(cluster.fake.lamports(employee) == 0);
  CHECK(cluster.fake.lamports(payer.public_key()) == k_sol - k_fee);  // the fee only
  CHECK(cluster.fake.paid_to(employee).empty());
}
