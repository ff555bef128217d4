// Keys, program derived addresses and associated token accounts, against @solana/web3.js and
// @solana/spl-token (tests/vectors/solana/vectors.json), and the runtime's on-curve test.
#include <catch2/catch.hpp>

#include "solana/address.hpp"
#include "solana_vectors.hpp"

using namespace payrollx::solana;
namespace vectors = solana_vectors;

TEST_CASE("solana: program ids and keys are written in base58", "[solana]") {
  CHECK(system_program().to_base58() == "11111111111111111111111111111111");
  CHECK(token_program().to_base58() == "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
  CHECK(associated_token_account_program().to_base58() ==
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
  CHECK(system_program().bytes == Blockhash{});

  const auto payer = vectors::text(vectors::get("keypairs").at("payer").at("public_key"));
  CHECK(vectors::key(boost::json::value(payer)).to_base58() == payer);
  CHECK_FALSE(PublicKey::from_base58("4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofL"));  // 31 bytes
  CHECK_FALSE(PublicKey::from_base58(payer + "1"));                                    // 33 bytes
  CHECK_FALSE(PublicKey::from_base58(""));
  CHECK_FALSE(PublicKey::from_base58("0OIl"));
}

TEST_CASE("solana: associated token addresses equal spl-token's", "[solana]") {
  const auto& addresses = vectors::all().at("associated_token_addresses").as_array();
  REQUIRE(addresses.size() >= 6);
  for (const auto& entry : addresses) {
    INFO(entry);
    CHECK(associated_token_address(vectors::key(entry.at("owner")), vectors::key(entry.at("mint")))
              .to_base58() == vectors::text(entry.at("address")));
  }
}

TEST_CASE("solana: program derived addresses and bumps equal web3.js's, bumps below 255 included",
          "[solana]") {
  const auto& addresses = vectors::all().at("program_addresses").as_array();
  std::size_t below_254 = 0;
  for (const auto& entry : addresses) {
    INFO(entry);
    std::vector<std::vector<std::uint8_t>> seed_bytes;
    for (const auto& seed : entry.at("seeds_hex").as_array())
      seed_bytes.push_back(vectors::from_hex(seed.as_string()));
    std::vector<std::span<const std::uint8_t>> seeds(seed_bytes.begin(), seed_bytes.end());

    auto found = find_program_address(seeds, vectors::key(entry.at("program")));
    CHECK(found.address.to_base58() == vectors::text(entry.at("address")));
    CHECK(found.bump == entry.at("bump").as_int64());
    if (found.bump < 254) ++below_254;
  }
  // Each bump below 255 is a hash the on-curve test had to refuse first.
  CHECK(below_254 >= 3);
}

TEST_CASE("solana: more than 15 seeds, or a seed over 32 bytes, is refused", "[solana]") {
  std::vector<std::uint8_t> byte{1};
  std::vector<std::uint8_t> long_seed(33, 7);
  std::vector<std::span<const std::uint8_t>> sixteen(16, byte);
  CHECK_THROWS_AS(find_program_address(sixteen, system_program()), std::invalid_argument);
  CHECK_THROWS_AS(find_program_address({long_seed}, system_program()), std::invalid_argument);
  CHECK_NOTHROW(find_program_address({std::span(long_seed).first(32)}, system_program()));
}

TEST_CASE("solana: is_on_curve answers as the runtime's decompression does", "[solana]") {
  const auto& cases = vectors::all().at("on_curve").as_array();
  std::size_t on = 0;
  std::size_t off = 0;
  std::size_t stricter_web3js = 0;
  for (const auto& entry : cases) {
    INFO(entry.at("label").as_string() << " " << entry.at("bytes_hex").as_string());
    PublicKey key;
    auto bytes = vectors::from_hex(entry.at("bytes_hex").as_string());
    REQUIRE(bytes.size() == 32);
    std::copy(bytes.begin(), bytes.end(), key.bytes.begin());

    const bool runtime = entry.at("runtime").as_bool();
    CHECK(is_on_curve(key) == runtime);
    (runtime ? on : off) += 1;
    // web3.js refuses non-canonical encodings the runtime accepts, never the other way round.
    if (entry.at("web3js").as_bool() != runtime) {
      CHECK(runtime);
      ++stricter_web3js;
    }
  }
  CHECK(on >= 5);
  CHECK(off >= 5);
  CHECK(stricter_web3js >= 1);
}
