#pragma once
// The vectors of tests/vectors/solana/vectors.json (written by generate.mjs from @solana/web3.js
// and @solana/spl-token), and the conversions the Solana tests compare them with.
#include <sodium.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <fstream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "solana/key.hpp"

namespace solana_vectors {

inline const boost::json::object& all() {
  static const boost::json::object vectors = [] {
    std::ifstream file(PAYROLLX_SOURCE_DIR "/tests/vectors/solana/vectors.json");
    if (!file) throw std::runtime_error("tests/vectors/solana/vectors.json is missing");
    std::ostringstream text;
    text << file.rdbuf();
    return boost::json::parse(text.str()).as_object();
  }();
  return vectors;
}

inline const boost::json::object& get(std::string_view name) {
  return all().at(name).as_object();
}

inline std::string text(const boost::json::value& value) {
  return std::string(value.as_string());
}

inline std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> bytes(hex.size() / 2);
  std::size_t size = 0;
  if (sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &size, nullptr) !=
          0 ||
      size != bytes.size())
    throw std::invalid_argument("bad hex in vectors.json");
  return bytes;
}

inline std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();
  return hex;
}

inline std::string to_base64(std::span<const std::uint8_t> bytes) {
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
  text.pop_back();
  return text;
}

inline payrollx::solana::PublicKey key(const boost::json::value& base58) {
  auto key = payrollx::solana::PublicKey::from_base58(base58.as_string());
  if (!key) throw std::invalid_argument("bad public key in vectors.json");
  return *key;
}

inline payrollx::solana::Blockhash recent_blockhash() {
  return key(all().at("recent_blockhash")).bytes;
}

// solana-keygen's JSON text of a vector keypair.
inline std::string keypair_json(std::string_view name) {
  return boost::json::serialize(get("keypairs").at(name).at("secret_key"));
}

}  // namespace solana_vectors
