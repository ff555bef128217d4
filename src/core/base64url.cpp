#include "core/base64url.hpp"

#include <sodium.h>

#include <algorithm>

namespace payrollx::base64url {
namespace {
constexpr int k_variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}
}  // namespace

std::string encode(std::string_view bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), k_variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), k_variant);
  text.resize(text.size() - 1);  // the encoder's terminating NUL
  return text;
}

std::optional<std::string> decode(std::string_view text) {
  // libsodium 1.0.18 reads every byte above 0x7F as '_' (its character test sign-extends): left
  // to it, a token or cursor would have other spellings that decode the same.
  if (!std::all_of(text.begin(), text.end(), in_alphabet)) return std::nullopt;
  std::string bytes(text.size() * 3 / 4 + 1, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                        text.size(), nullptr, &length, &end, k_variant) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  bytes.resize(length);
  return bytes;
}

}  // namespace payrollx::base64url
