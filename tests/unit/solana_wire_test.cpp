// Legacy transactions built, signed and read back: byte for byte what @solana/web3.js and
// @solana/spl-token produce for the same transfers (tests/vectors/solana/vectors.json).
#include <catch2/catch.hpp>

#include "solana/address.hpp"
#include "solana/keypair.hpp"
#include "solana/message.hpp"
#include "solana/wire.hpp"
#include "solana_vectors.hpp"

using namespace payrollx::solana;
namespace vectors = solana_vectors;

namespace {

Keypair payer() {
  return Keypair::from_json(vectors::keypair_json("payer"));
}

// The message and the signed transaction of `instructions` equal the vector's.
void check_against(const boost::json::object& vector,
                   const std::vector<Instruction>& instructions) {
  auto keypair = payer();
  auto message =
      compile_legacy_message(keypair.public_key(), vectors::recent_blockhash(), instructions);
  CHECK(vectors::to_hex(message) == vectors::text(vector.at("message_hex")));
  CHECK(vectors::to_base64(message) == vectors::text(vector.at("message_base64")));

  auto signed_transaction = sign_transaction(message, keypair);
  CHECK(vectors::to_base64(signed_transaction.bytes) ==
        vectors::text(vector.at("transaction_base64")));
  CHECK(to_base58(signed_transaction.signature) == vectors::text(vector.at("signature_base58")));
}

std::vector<Instruction> usdc_transfer(const boost::json::object& vector, bool create_first) {
  auto owner = vectors::key(vector.at("owner"));
  auto mint = vectors::key(vector.at("mint"));
  auto recipient = vectors::key(vector.at("destination_owner"));
  auto source = associated_token_address(owner, mint);
  auto destination = associated_token_address(recipient, mint);
  REQUIRE(source == vectors::key(vector.at("source")));
  REQUIRE(destination == vectors::key(vector.at("destination")));

  std::vector<Instruction> instructions;
  if (create_first)
    instructions.push_back(
        create_associated_token_account_idempotent(owner, destination, recipient, mint));
  instructions.push_back(token_transfer_checked(
      source, mint, destination, owner, std::stoull(vectors::text(vector.at("amount"))),
      static_cast<std::uint8_t>(vector.at("decimals").as_int64())));
  return instructions;
}

std::vector<std::uint8_t> transaction_bytes(std::string_view vector_name) {
  auto keypair = payer();
  const auto& vector = vectors::get(vector_name);
  auto message = vectors::from_hex(vectors::text(vector.at("message_hex")));
  return sign_transaction(message, keypair).bytes;
}

std::optional<std::uint16_t> read_whole(std::vector<std::uint8_t> bytes) {
  std::size_t offset = 0;
  auto value = read_compact_u16(bytes, offset);
  if (value && offset != bytes.size()) return std::nullopt;
  return value;
}

}  // namespace

TEST_CASE("solana: a SOL transfer signs to web3.js's exact bytes", "[solana]") {
  const auto& vector = vectors::get("sol_transfer");
  check_against(vector,
                {system_transfer(vectors::key(vector.at("from")), vectors::key(vector.at("to")),
                                 std::stoull(vectors::text(vector.at("lamports"))))});
}

TEST_CASE("solana: a USDC transfer between associated token accounts signs to spl-token's bytes",
          "[solana]") {
  const auto& vector = vectors::get("usdc_transfer");
  check_against(vector, usdc_transfer(vector, false));
}

TEST_CASE(
    "solana: a USDC transfer that first creates the recipient's account signs to "
    "spl-token's bytes",
    "[solana]") {
  const auto& vector = vectors::get("usdc_transfer_with_create");
  check_against(vector, usdc_transfer(vector, true));
}

TEST_CASE(
    "solana: accounts are ordered as web3.js orders them: the payer, then writable, then "
    "read-only, each in order of first use",
    "[solana]") {
  // The fee payer is the token owner (a read-only signer) and the create's payer: it must appear
  // once, first, writable and signing; the programs come last, in order of first use.
  auto bytes = transaction_bytes("usdc_transfer_with_create");
  auto tx = decode_transaction(bytes);
  const auto& vector = vectors::get("usdc_transfer_with_create");
  REQUIRE(tx.accounts.size() == 8);
  CHECK(tx.accounts[0] == vectors::key(vector.at("owner")));
  CHECK(tx.required_signatures == 1);
  CHECK(tx.readonly_signed == 0);
  CHECK(tx.readonly_unsigned == 5);
  CHECK(tx.accounts[1] == vectors::key(vector.at("destination")));
  CHECK(tx.accounts[2] == vectors::key(vector.at("source")));
  CHECK(tx.accounts[3] == associated_token_account_program());
  CHECK(tx.accounts[4] == vectors::key(vector.at("destination_owner")));
  CHECK(tx.accounts[5] == vectors::key(vector.at("mint")));
  CHECK(tx.accounts[6] == system_program());
  CHECK(tx.accounts[7] == token_program());
}

TEST_CASE("solana: compact-u16 lengths take their shortest form, and only that", "[solana]") {
  for (std::uint16_t value : {0, 1, 127, 128, 255, 16383, 16384, 0x7fff, 0xffff}) {
    std::vector<std::uint8_t> bytes;
    append_compact_u16(bytes, value);
    CHECK(bytes.size() == (value < 0x80 ? 1u : value < 0x4000 ? 2u : 3u));
    CHECK(read_whole(bytes) == value);
  }
  std::vector<std::uint8_t> bytes;
  append_compact_u16(bytes, 16384);
  CHECK(bytes == std::vector<std::uint8_t>{0x80, 0x80, 0x01});

  CHECK(read_whole({0x80, 0x00}) == std::nullopt);              // 0 in two bytes
  CHECK(read_whole({0xff, 0x00}) == std::nullopt);              // 127 in two bytes
  CHECK(read_whole({0x80, 0x80, 0x00}) == std::nullopt);        // 0 in three bytes
  CHECK(read_whole({0xff, 0xff, 0x04}) == std::nullopt);        // 0x1ffff: above 0xffff
  CHECK(read_whole({0x80, 0x80, 0x80, 0x01}) == std::nullopt);  // a four-byte form
  CHECK(read_whole({0x80}) == std::nullopt);                    // truncated
  CHECK(read_whole({}) == std::nullopt);

  std::vector<std::uint8_t> after_prefix{0xaa, 0x05};
  std::size_t offset = 1;
  CHECK(read_compact_u16(after_prefix, offset) == 5);
  CHECK(offset == 2);
}

TEST_CASE("solana: a signed transaction reads back as what was built", "[solana]") {
  auto bytes = transaction_bytes("sol_transfer");
  auto tx = decode_transaction(bytes);
  const auto& vector = vectors::get("sol_transfer");

  REQUIRE(tx.signatures.size() == 1);
  CHECK(to_base58(tx.signatures[0]) == vectors::text(vector.at("signature_base58")));
  CHECK(vectors::to_hex(tx.message) == vectors::text(vector.at("message_hex")));
  CHECK(tx.recent_blockhash == vectors::recent_blockhash());
  REQUIRE(tx.accounts.size() == 3);
  CHECK(tx.accounts[0] == vectors::key(vector.at("from")));
  CHECK(tx.accounts[1] == vectors::key(vector.at("to")));
  CHECK(tx.accounts[2] == system_program());
  CHECK((tx.is_signer(0) && tx.is_writable(0)));
  CHECK((!tx.is_signer(1) && tx.is_writable(1)));
  CHECK((!tx.is_signer(2) && !tx.is_writable(2)));
  CHECK_FALSE(tx.is_writable(3));

  REQUIRE(tx.instructions.size() == 1);
  CHECK(tx.instructions[0].program_index == 2);
  CHECK(tx.instructions[0].account_indexes == std::vector<std::uint8_t>{0, 1});
  // Transfer (2, u32) of 1.5 SOL (u64), little-endian.
  CHECK(vectors::to_hex(tx.instructions[0].data) == "02000000002f685900000000");
  CHECK(tx.signatures_verify());
}

TEST_CASE("solana: a flipped bit fails signature verification", "[solana]") {
  auto bytes = transaction_bytes("sol_transfer");
  auto in_signature = bytes;
  in_signature[10] ^= 0x01;
  CHECK_FALSE(decode_transaction(in_signature).signatures_verify());
  auto in_message = bytes;
  in_message.back() ^= 0x01;  // the lamports' top byte
  CHECK_FALSE(decode_transaction(in_message).signatures_verify());
}

TEST_CASE("solana: malformed transactions are refused", "[solana]") {
  auto bytes = transaction_bytes("usdc_transfer");
  REQUIRE_NOTHROW(decode_transaction(bytes));
  const std::size_t message_start = 1 + 64;

  SECTION("every truncation") {
    for (std::size_t size = 0; size < bytes.size(); ++size)
      CHECK_THROWS_AS(decode_transaction(std::span(bytes).first(size)), WireError);
  }
  SECTION("a trailing byte") {
    bytes.push_back(0);
    CHECK_THROWS_AS(decode_transaction(bytes), WireError);
  }
  SECTION("a program index out of range") {
    auto tx = decode_transaction(bytes);
    // The only instruction starts right after its count, after the blockhash.
    std::size_t instruction = message_start + 3 + 1 + 32 * tx.accounts.size() + 32 + 1;
    REQUIRE(bytes[instruction] == tx.instructions[0].program_index);
    bytes[instruction] = static_cast<std::uint8_t>(tx.accounts.size());
    CHECK_THROWS_AS(decode_transaction(bytes), WireError);
  }
  SECTION("an account index out of range") {
    auto tx = decode_transaction(bytes);
    std::size_t first_account = message_start + 3 + 1 + 32 * tx.accounts.size() + 32 + 1 + 2;
    REQUIRE(bytes[first_account] == tx.instructions[0].account_indexes[0]);
    bytes[first_account] = 0xff;
    CHECK_THROWS_AS(decode_transaction(bytes), WireError);
  }
  SECTION("a v0 message") {
    bytes[message_start] |= 0x80;
    CHECK_THROWS_AS(decode_transaction(bytes), WireError);
  }
  SECTION("a signature count other than the header's") {
    bytes[0] = 2;
    bytes.insert(bytes.begin() + 1, 64, 0x00);
    CHECK_THROWS_AS(decode_transaction(bytes), WireError);
  }
}

TEST_CASE("solana: signing refuses a message whose fee payer is another key", "[solana]") {
  auto keypair = payer();
  auto recipient = Keypair::from_json(vectors::keypair_json("recipient"));
  auto message =
      compile_legacy_message(recipient.public_key(), vectors::recent_blockhash(),
                             {system_transfer(recipient.public_key(), keypair.public_key(), 1)});
  CHECK_THROWS_AS(sign_transaction(message, keypair), std::invalid_argument);
  CHECK_NOTHROW(sign_transaction(message, recipient));

  // Two signers: the payer's signature alone would not make a valid transaction.
  auto two_signers =
      compile_legacy_message(keypair.public_key(), vectors::recent_blockhash(),
                             {system_transfer(recipient.public_key(), keypair.public_key(), 1)});
  CHECK_THROWS_AS(sign_transaction(two_signers, keypair), std::invalid_argument);
}
