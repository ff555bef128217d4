#include "solana/message.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>

#include "solana/keypair.hpp"
#include "solana/wire.hpp"

namespace payrollx::solana {
namespace {

// The instruction tags of the programs' own encodings.
constexpr std::uint32_t k_system_transfer = 2;
constexpr std::uint8_t k_token_transfer_checked = 12;
constexpr std::uint8_t k_ata_create_idempotent = 1;
// A message names its accounts by one-byte indexes.
constexpr std::size_t k_max_accounts = 256;

void append_le(std::vector<std::uint8_t>& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void append_key(std::vector<std::uint8_t>& out, const PublicKey& key) {
  out.insert(out.end(), key.bytes.begin(), key.bytes.end());
}

// A length prefix; std::invalid_argument rather than a silently truncated count.
void append_length(std::vector<std::uint8_t>& out, std::size_t length) {
  if (length > std::numeric_limits<std::uint16_t>::max())
    throw std::invalid_argument("a list too long for a transaction");
  append_compact_u16(out, static_cast<std::uint16_t>(length));
}

// The message's accounts in order of first appearance, with the union of their uses.
class AccountTable {
 public:
  void use(const PublicKey& key, bool signer, bool writable) {
    auto it = std::find_if(accounts_.begin(), accounts_.end(),
                           [&](const AccountMeta& meta) { return meta.key == key; });
    if (it == accounts_.end()) it = accounts_.insert(it, AccountMeta{key});
    it->signer = it->signer || signer;
    it->writable = it->writable || writable;
  }

  // Writable signers, read-only signers, writable non-signers, read-only non-signers; each
  // group in order of first appearance.
  std::vector<AccountMeta> ordered() const {
    std::vector<AccountMeta> out;
    for (bool signer : {true, false})
      for (bool writable : {true, false})
        std::copy_if(accounts_.begin(), accounts_.end(), std::back_inserter(out),
                     [&](const AccountMeta& meta) {
                       return meta.signer == signer && meta.writable == writable;
                     });
    return out;
  }

 private:
  std::vector<AccountMeta> accounts_;
};

}  // namespace

Instruction system_transfer(const PublicKey& from, const PublicKey& to, std::uint64_t lamports) {
  Instruction instruction{system_program(), {{from, true, true}, {to, false, true}}, {}};
  append_le(instruction.data, k_system_transfer, 4);
  append_le(instruction.data, lamports, 8);
  return instruction;
}

Instruction memo(std::string_view text) {
  return {memo_program(), {}, std::vector<std::uint8_t>(text.begin(), text.end())};
}

Instruction token_transfer_checked(const PublicKey& source, const PublicKey& mint,
                                   const PublicKey& destination, const PublicKey& owner,
                                   std::uint64_t amount, std::uint8_t decimals) {
  Instruction instruction{token_program(),
                          {{source, false, true},
                           {mint, false, false},
                           {destination, false, true},
                           {owner, true, false}},
                          {k_token_transfer_checked}};
  append_le(instruction.data, amount, 8);
  instruction.data.push_back(decimals);
  return instruction;
}

Instruction create_associated_token_account_idempotent(const PublicKey& payer,
                                                       const PublicKey& account,
                                                       const PublicKey& owner,
                                                       const PublicKey& mint) {
  return Instruction{associated_token_account_program(),
                     {{payer, true, true},
                      {account, false, true},
                      {owner, false, false},
                      {mint, false, false},
                      {system_program(), false, false},
                      {token_program(), false, false}},
                     {k_ata_create_idempotent}};
}

std::vector<std::uint8_t> compile_legacy_message(const PublicKey& payer,
                                                 const Blockhash& recent_blockhash,
                                                 const std::vector<Instruction>& instructions) {
  AccountTable table;
  table.use(payer, true, true);
  for (const auto& instruction : instructions) {
    table.use(instruction.program, false, false);
    for (const auto& meta : instruction.accounts) table.use(meta.key, meta.signer, meta.writable);
  }
  auto accounts = table.ordered();
  if (accounts.size() > k_max_accounts)
    throw std::invalid_argument("more accounts than a message can name");
  auto index_of = [&](const PublicKey& key) {
    auto it = std::find_if(accounts.begin(), accounts.end(),
                           [&](const AccountMeta& meta) { return meta.key == key; });
    return static_cast<std::uint8_t>(it - accounts.begin());
  };
  auto count = [&](bool signer, bool writable) {
    return static_cast<std::uint8_t>(
        std::count_if(accounts.begin(), accounts.end(), [&](const AccountMeta& meta) {
          return meta.signer == signer && meta.writable == writable;
        }));
  };

  std::vector<std::uint8_t> out;
  const auto readonly_signed = count(true, false);
  out.push_back(static_cast<std::uint8_t>(count(true, true) + readonly_signed));
  out.push_back(readonly_signed);
  out.push_back(count(false, false));
  append_length(out, accounts.size());
  for (const auto& meta : accounts) append_key(out, meta.key);
  out.insert(out.end(), recent_blockhash.begin(), recent_blockhash.end());
  append_length(out, instructions.size());
  for (const auto& instruction : instructions) {
    out.push_back(index_of(instruction.program));
    append_length(out, instruction.accounts.size());
    for (const auto& meta : instruction.accounts) out.push_back(index_of(meta.key));
    append_length(out, instruction.data.size());
    out.insert(out.end(), instruction.data.begin(), instruction.data.end());
  }
  return out;
}

SignedTransaction sign_transaction(const std::vector<std::uint8_t>& message, const Keypair& payer) {
  // The header's signature count, then the first account: the fee payer.
  std::size_t offset = 3;
  if (message.size() < offset || message[0] != 1)
    throw std::invalid_argument("the message must ask for one signature: the payer's");
  auto account_count = read_compact_u16(message, offset);
  const auto& key = payer.public_key().bytes;
  if (!account_count || *account_count == 0 || message.size() - offset < key.size() ||
      !std::equal(key.begin(), key.end(), message.begin() + static_cast<std::ptrdiff_t>(offset)))
    throw std::invalid_argument("the message's fee payer is not this keypair");

  SignedTransaction signed_transaction{{}, payer.sign(message)};
  auto& bytes = signed_transaction.bytes;
  bytes.reserve(1 + signed_transaction.signature.size() + message.size());
  append_compact_u16(bytes, 1);
  bytes.insert(bytes.end(), signed_transaction.signature.begin(),
               signed_transaction.signature.end());
  bytes.insert(bytes.end(), message.begin(), message.end());
  return signed_transaction;
}

}  // namespace payrollx::solana
