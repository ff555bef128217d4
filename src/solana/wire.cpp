#include "solana/wire.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace payrollx::solana {
namespace {

constexpr std::size_t k_compact_u16_max_bytes = 3;

// The bytes of a transaction, taken front to back; WireError when they run out.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  std::span<const std::uint8_t> take(std::size_t count) {
    if (in_.size() - offset_ < count) throw WireError("truncated transaction");
    auto taken = in_.subspan(offset_, count);
    offset_ += count;
    return taken;
  }
  std::uint8_t byte() { return take(1)[0]; }
  std::uint16_t length() {
    auto value = read_compact_u16(in_, offset_);
    if (!value) throw WireError("bad compact-u16 length");
    return *value;
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    std::array<std::uint8_t, N> out{};
    auto bytes = take(N);
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  }
  std::size_t offset() const { return offset_; }
  bool done() const { return offset_ == in_.size(); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t offset_ = 0;
};

}  // namespace

void append_compact_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  unsigned rest = value;
  for (; rest >= 0x80; rest >>= 7) out.push_back(static_cast<std::uint8_t>((rest & 0x7f) | 0x80));
  out.push_back(static_cast<std::uint8_t>(rest));
}

std::optional<std::uint16_t> read_compact_u16(std::span<const std::uint8_t> in,
                                              std::size_t& offset) {
  unsigned value = 0;
  for (std::size_t i = 0; i < k_compact_u16_max_bytes; ++i) {
    if (offset + i >= in.size()) return std::nullopt;
    unsigned byte = in[offset + i];
    // A zero byte after the first adds nothing: the same value had a shorter form.
    if (i > 0 && byte == 0) return std::nullopt;
    // The third byte holds bits 14 and 15 only; more would be a fourth byte or above 0xffff.
    if (i == 2 && byte > 0x03) return std::nullopt;
    value |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      offset += i + 1;
      return static_cast<std::uint16_t>(value);
    }
  }
  return std::nullopt;
}

bool DecodedTransaction::is_signer(std::size_t account_index) const {
  return account_index < required_signatures;
}

bool DecodedTransaction::is_writable(std::size_t account_index) const {
  if (account_index < required_signatures)
    return account_index < static_cast<std::size_t>(required_signatures - readonly_signed);
  return account_index < accounts.size() - readonly_unsigned;
}

bool DecodedTransaction::signatures_verify() const {
  for (std::size_t i = 0; i < signatures.size(); ++i)
    if (crypto_sign_verify_detached(signatures[i].data(), message.data(), message.size(),
                                    accounts[i].bytes.data()) != 0)
      return false;
  return true;
}

DecodedTransaction decode_transaction(std::span<const std::uint8_t> bytes) {
  Reader in(bytes);
  DecodedTransaction tx;
  // Each count grows its vector only as its bytes are read: a forged count allocates nothing.
  for (auto count = in.length(); count > 0; --count) tx.signatures.push_back(in.array<64>());

  const std::size_t message_start = in.offset();
  tx.required_signatures = in.byte();
  if (tx.required_signatures & 0x80) throw WireError("a versioned message, not a legacy one");
  tx.readonly_signed = in.byte();
  tx.readonly_unsigned = in.byte();
  for (auto count = in.length(); count > 0; --count) tx.accounts.push_back({in.array<32>()});
  tx.recent_blockhash = in.array<32>();
  for (auto count = in.length(); count > 0; --count) {
    auto& instruction = tx.instructions.emplace_back();
    instruction.program_index = in.byte();
    auto indexes = in.take(in.length());
    instruction.account_indexes.assign(indexes.begin(), indexes.end());
    auto data = in.take(in.length());
    instruction.data.assign(data.begin(), data.end());
  }
  if (!in.done()) throw WireError("trailing bytes after the message");
  tx.message.assign(bytes.begin() + static_cast<std::ptrdiff_t>(message_start), bytes.end());

  // The runtime's sanitising: the fee payer is a writable signer, the header counts fit the
  // accounts, and the fee payer is no program.
  if (tx.signatures.size() != tx.required_signatures)
    throw WireError("signature count differs from the header's");
  if (tx.readonly_signed >= tx.required_signatures ||
      tx.required_signatures + tx.readonly_unsigned > tx.accounts.size())
    throw WireError("header counts do not fit the accounts");
  for (const auto& instruction : tx.instructions) {
    if (instruction.program_index == 0 || instruction.program_index >= tx.accounts.size())
      throw WireError("program index out of range");
    for (auto index : instruction.account_indexes)
      if (index >= tx.accounts.size()) throw WireError("account index out of range");
  }
  return tx;
}

}  // namespace payrollx::solana
