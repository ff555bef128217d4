#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payrollx {

// A UUID as 16 bytes. Parsing is strict: the canonical 8-4-4-4-12 hex form only.
class Uuid {
 public:
  Uuid() = default;
  static std::optional<Uuid> parse(std::string_view text);
  // Version 7 (RFC 9562): 48 bits of Unix milliseconds, a 30-bit counter that orders one thread's
  // ids within a millisecond (seeded at random each millisecond), 44 bits from libsodium's
  // CSPRNG. Time-ordered, so rows created together sit together in primary-key indexes (bulk
  // inserts of a payroll run or an import stay fast); unguessable enough for ids, never used as
  // a secret.
  static Uuid random();
  std::string str() const;
  // The canonical text without allocating: view it as std::string_view(chars.data(), 36).
  std::array<char, 36> chars() const;
  bool is_nil() const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace payrollx
