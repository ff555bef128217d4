#include "core/base58.hpp"

#include <array>

namespace payrollx {
namespace {

constexpr std::string_view k_alphabet =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Character → digit value, -1 for characters outside the alphabet.
constexpr std::array<std::int8_t, 256> make_digit_table() {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (std::size_t i = 0; i < k_alphabet.size(); ++i)
    table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto k_digits = make_digit_table();

constexpr std::size_t k_solana_key_bytes = 32;

}  // namespace

std::string base58_encode(std::span<const std::uint8_t> bytes) {
  std::size_t leading_zeros = 0;
  while (leading_zeros < bytes.size() && bytes[leading_zeros] == 0) ++leading_zeros;

  // The number in base 58, least significant digit first: every byte multiplies it by 256.
  std::vector<std::uint8_t> digits;
  digits.reserve(bytes.size() * 138 / 100 + 1);  // log(256) / log(58) < 1.38
  for (std::size_t i = leading_zeros; i < bytes.size(); ++i) {
    unsigned carry = bytes[i];
    for (auto& digit : digits) {
      carry += static_cast<unsigned>(digit) << 8;
      digit = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    for (; carry > 0; carry /= 58) digits.push_back(static_cast<std::uint8_t>(carry % 58));
  }

  std::string text(leading_zeros, k_alphabet[0]);
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) text += k_alphabet[*it];
  return text;
}

std::optional<std::vector<std::uint8_t>> base58_decode(std::string_view text) {
  std::size_t leading_zeros = 0;
  while (leading_zeros < text.size() && text[leading_zeros] == k_alphabet[0]) ++leading_zeros;

  // The number in base 256, least significant byte first: every digit multiplies it by 58.
  std::vector<std::uint8_t> number;
  number.reserve(text.size());
  for (std::size_t i = leading_zeros; i < text.size(); ++i) {
    int digit = k_digits[static_cast<unsigned char>(text[i])];
    if (digit < 0) return std::nullopt;
    unsigned carry = static_cast<unsigned>(digit);
    for (auto& byte : number) {
      carry += static_cast<unsigned>(byte) * 58;
      byte = static_cast<std::uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) number.push_back(static_cast<std::uint8_t>(carry & 0xff));
  }

  std::vector<std::uint8_t> bytes(leading_zeros, 0);
  bytes.insert(bytes.end(), number.rbegin(), number.rend());
  return bytes;
}

bool is_solana_public_key(std::string_view text) {
  if (text.size() < k_solana_key_min_chars || text.size() > k_solana_key_max_chars) return false;
  auto bytes = base58_decode(text);
  return bytes && bytes->size() == k_solana_key_bytes;
}

}  // namespace payrollx
