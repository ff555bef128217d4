#pragma once
// Reading Solana's wire format: compact-u16 lengths and legacy transactions. The settlement
// writes transactions (message.hpp); tests and the fake cluster read them back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "solana/key.hpp"

namespace payrollx::solana {

// The shortvec length prefix: 7 bits per byte, low first, high bit "more follows", at most 3
// bytes for values up to 0xffff.
void append_compact_u16(std::vector<std::uint8_t>& out, std::uint16_t value);
// The value at `in[offset]` and advances `offset` past it; nullopt when truncated, longer than
// three bytes, over 0xffff, or not in its shortest form.
std::optional<std::uint16_t> read_compact_u16(std::span<const std::uint8_t> in,
                                              std::size_t& offset);

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CompiledInstruction {
  std::uint8_t program_index = 0;
  std::vector<std::uint8_t> account_indexes;
  std::vector<std::uint8_t> data;
};

struct DecodedTransaction {
  std::vector<Signature> signatures;
  std::uint8_t required_signatures = 0;
  std::uint8_t readonly_signed = 0;
  std::uint8_t readonly_unsigned = 0;
  std::vector<PublicKey> accounts;
  Blockhash recent_blockhash{};
  std::vector<CompiledInstruction> instructions;
  std::vector<std::uint8_t> message;  // the signed bytes

  bool is_signer(std::size_t account_index) const;
  bool is_writable(std::size_t account_index) const;
  // Every signature verifies against its account's key over `message`.
  bool signatures_verify() const;
};

// A legacy transaction (WireError on anything else: a v0 prefix, trailing bytes, an index out of
// range, a signature count that differs from the header's).
DecodedTransaction decode_transaction(std::span<const std::uint8_t> bytes);

}  // namespace payrollx::solana
