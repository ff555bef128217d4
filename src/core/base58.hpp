#pragma once
// Base58 with the Bitcoin alphabet, as Solana writes public keys and signatures.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace payrollx {

// `bytes` in base58: each leading zero byte is a '1', so the encoding is unique.
std::string base58_encode(std::span<const std::uint8_t> bytes);

// The bytes `text` encodes; nullopt when it holds a character outside the alphabet (0, O, I
// and l are not in it). Each leading '1' is a leading zero byte.
std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text);

// How long a Solana public key's base58 text is: 32 bytes take 44 characters at most, and 32 at
// the least (an all-zero key is 32 '1's). Requests check these lengths first and schemas document
// them.
inline constexpr std::size_t k_solana_key_min_chars = 32;
inline constexpr std::size_t k_solana_key_max_chars = 44;

// A Solana public key: k_solana_key_min_chars to k_solana_key_max_chars base58 characters that
// decode to exactly 32 bytes.
bool is_solana_public_key(std::string_view text);

}  // namespace payrollx
