#include "core/base58.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string text;
  for (auto byte : bytes) {
    text += k_hex[byte >> 4];
    text += k_hex[byte & 0xf];
  }
  return text;
}

std::string decoded_hex(std::string_view text) {
  auto bytes = payrollx::base58_decode(text);
  REQUIRE(bytes);
  return hex(*bytes);
}

}  // namespace

TEST_CASE("base58: decodes the Bitcoin reference vectors", "[base58]") {
  CHECK(decoded_hex("") == "");
  CHECK(decoded_hex("2g") == "61");
  CHECK(decoded_hex("a3gV") == "626262");
  CHECK(decoded_hex("2cFupjhnEsSn59qHXstmK2ffpLv2") == "73696d706c792061206c6f6e6720737472696e67");
  CHECK(decoded_hex("1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L") ==
        "00eb15231dfceb60925886b67d065299925915aeb172c06647");
  CHECK(decoded_hex("1111111111") == "00000000000000000000");
}

TEST_CASE("base58: Solana program ids decode to their 32 bytes", "[base58]") {
  auto system_program = payrollx::base58_decode("11111111111111111111111111111111");
  REQUIRE(system_program);
  CHECK(*system_program == std::vector<std::uint8_t>(32, 0));
  CHECK(decoded_hex("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA") ==
        "06ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a8cf5857eff00a9");
  CHECK(decoded_hex("11111111111111111111111111111112") == std::string(62, '0') + "01");
}

TEST_CASE("base58: characters outside the alphabet are refused", "[base58]") {
  for (std::string_view bad : {"0", "O", "I", "l", "abc0", "1111O111", "2g ", "+", "\xc3\xa9"})
    CHECK_FALSE(payrollx::base58_decode(bad));
}

TEST_CASE("base58: a Solana public key is 32..44 characters decoding to exactly 32 bytes",
          "[base58]") {
  using payrollx::is_solana_public_key;
  CHECK(is_solana_public_key("11111111111111111111111111111111"));
  CHECK(is_solana_public_key("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"));
  CHECK(is_solana_public_key("JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG"));  // 32 x 0xff
  CHECK(is_solana_public_key("4wBqpZM9xaSheZzJSMawUKKwhdpChKbZ5eu5ky4Vigw"));   // bytes 1..32

  // 31 bytes (31 x 0xff) and 33 bytes (a zero byte, then 32 x 0x01), both 32..44 characters.
  CHECK_FALSE(is_solana_public_key("4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofL"));
  CHECK_FALSE(is_solana_public_key("14vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi"));
  CHECK_FALSE(is_solana_public_key(std::string(33, '1')));
  // Too short, too long, and a bad character in an otherwise good key.
  CHECK_FALSE(is_solana_public_key(std::string(31, '1')));
  CHECK_FALSE(is_solana_public_key(std::string(45, 'z')));
  CHECK_FALSE(is_solana_public_key("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5D0"));
  CHECK_FALSE(is_solana_public_key(""));
}

TEST_CASE("base58: encoding round-trips, a leading zero byte per leading '1'", "[base58]") {
  using payrollx::base58_decode;
  using payrollx::base58_encode;
  CHECK(base58_encode(std::vector<std::uint8_t>{}) == "");
  CHECK(base58_encode(std::vector<std::uint8_t>{0x61}) == "2g");
  CHECK(base58_encode(std::vector<std::uint8_t>(32, 0)) == "11111111111111111111111111111111");
  CHECK(base58_encode(std::vector<std::uint8_t>{0, 0, 1}) == "112");
  CHECK(base58_encode(std::vector<std::uint8_t>(32, 0xff)) ==
        "JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFG");

  for (std::string_view text : {"1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L", "11", "z", "1z",
                                "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"}) {
    auto bytes = base58_decode(text);
    REQUIRE(bytes);
    CHECK(base58_encode(*bytes) == text);
  }
  std::vector<std::uint8_t> every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<std::uint8_t>(i));
  CHECK(base58_decode(base58_encode(every_byte)) == every_byte);
}
