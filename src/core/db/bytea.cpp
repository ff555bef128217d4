#include "core/db/bytea.hpp"

#include <sodium.h>

#include "core/db/error.hpp"

namespace payrollx::db {

std::string to_bytea_text(std::string_view bytes) {
  std::string text(2 + bytes.size() * 2 + 1, '\0');
  text[0] = '\\';
  text[1] = 'x';
  sodium_bin2hex(text.data() + 2, text.size() - 2,
                 reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  text.pop_back();  // sodium_bin2hex's terminating NUL
  return text;
}

std::string from_bytea_text(std::string_view text) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) throw DecodeError("not bytea hex output");
  std::string bytes((text.size() - 2) / 2, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  int failed = sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                              text.data() + 2, text.size() - 2, nullptr, &written, &end);
  if (failed != 0 || written != bytes.size() || end != text.data() + text.size())
    throw DecodeError("not bytea hex output");
  return bytes;
}

}  // namespace payrollx::db
