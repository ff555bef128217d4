#include "fake_solana_programs.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "core/utf8.hpp"
#include "solana/address.hpp"

namespace payrollx::test::fake_solana {
namespace {

namespace json = boost::json;
using solana::PublicKey;
using Kind = ChainInstruction::Kind;

// Data layouts (little-endian): System Transfer is u32 2 + u64 lamports; SPL Token
// TransferChecked is u8 12 + u64 amount + u8 decimals; ATA CreateIdempotent is u8 1; SPL Memo
// takes any bytes (its text), with any accounts.
constexpr std::uint32_t k_system_transfer = 2;
constexpr std::uint8_t k_transfer_checked = 12;
constexpr std::uint8_t k_create_idempotent = 1;
// SPL Token's and the System program's error numbers ({"Custom": n}).
constexpr int k_insufficient_funds = 1;  // both programs' "insufficient funds"
constexpr int k_mint_mismatch = 3;
constexpr int k_owner_mismatch = 4;
constexpr int k_decimals_mismatch = 18;

std::uint64_t little_endian(const std::vector<std::uint8_t>& data, std::size_t offset,
                            std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes; ++i)
    value |= static_cast<std::uint64_t>(data[offset + i]) << (8 * i);
  return value;
}

// An InstructionError's reason: a name ("MissingRequiredSignature") or {"Custom": n}.
using Failure = std::optional<json::value>;
json::value custom(int code) {
  return json::object{{"Custom", code}};
}
json::value named(std::string_view name) {
  return json::string(name);
}

// One instruction, with its accounts looked up in the transaction.
struct Call {
  const solana::DecodedTransaction& tx;
  const solana::CompiledInstruction& instruction;

  const PublicKey& program() const { return tx.accounts[instruction.program_index]; }
  std::size_t account_count() const { return instruction.account_indexes.size(); }
  const PublicKey& key(std::size_t i) const { return tx.accounts[instruction.account_indexes[i]]; }
  bool signer(std::size_t i) const { return tx.is_signer(instruction.account_indexes[i]); }
  bool writable(std::size_t i) const { return tx.is_writable(instruction.account_indexes[i]); }
  const std::vector<std::uint8_t>& data() const { return instruction.data; }
};

Kind kind_of(const Call& call) {
  const auto& data = call.data();
  if (call.program() == solana::system_program() && data.size() == 12 &&
      call.account_count() >= 2 && little_endian(data, 0, 4) == k_system_transfer)
    return Kind::system_transfer;
  if (call.program() == solana::token_program() && data.size() == 10 && call.account_count() >= 4 &&
      data[0] == k_transfer_checked)
    return Kind::token_transfer_checked;
  if (call.program() == solana::associated_token_account_program() && data.size() == 1 &&
      call.account_count() >= 6 && data[0] == k_create_idempotent)
    return Kind::create_associated_token_account;
  if (call.program() == solana::memo_program()) return Kind::memo;
  return Kind::unknown;
}

const TokenAccount* token_account(const Ledger& ledger, const PublicKey& key) {
  const auto found = ledger.find(key);
  return found != ledger.end() && found->second.token ? &*found->second.token : nullptr;
}

// What the instruction does, read against the ledger as it stands before it runs.
ChainInstruction summary_of(const Call& call, const Ledger& ledger) {
  ChainInstruction summary{.kind = kind_of(call), .program = call.program()};
  switch (summary.kind) {
    case Kind::system_transfer:
      summary.source = call.key(0);
      summary.destination = summary.recipient = call.key(1);
      summary.amount = little_endian(call.data(), 4, 8);
      break;
    case Kind::token_transfer_checked: {
      summary.source = call.key(0);
      summary.mint = call.key(1);
      summary.destination = call.key(2);
      const TokenAccount* destination = token_account(ledger, summary.destination);
      summary.recipient = destination != nullptr ? destination->owner : summary.destination;
      summary.amount = little_endian(call.data(), 1, 8);
      break;
    }
    case Kind::create_associated_token_account:
      summary.source = call.key(0);
      summary.destination = call.key(1);
      summary.recipient = call.key(2);
      summary.mint = call.key(3);
      break;
    case Kind::memo:
      summary.memo.assign(call.data().begin(), call.data().end());
      break;
    case Kind::unknown:
      break;
  }
  return summary;
}

Failure transfer_lamports(const Call& call, const ChainInstruction& summary, Ledger& ledger) {
  if (!call.signer(0)) return named("MissingRequiredSignature");
  if (!call.writable(0) || !call.writable(1)) return named("ReadonlyLamportChange");
  Account& from = ledger[summary.source];
  if (from.token || from.mint_decimals) return named("InvalidArgument");  // `from` holds data
  if (from.lamports < summary.amount) return custom(k_insufficient_funds);
  from.lamports -= summary.amount;
  ledger[summary.destination].lamports += summary.amount;
  return std::nullopt;
}

Failure transfer_tokens(const Call& call, const ChainInstruction& summary, Ledger& ledger) {
  if (!call.signer(3)) return named("MissingRequiredSignature");
  if (!call.writable(0) || !call.writable(2)) return named("ReadonlyDataModified");
  const auto mint = ledger.find(*summary.mint);
  if (!token_account(ledger, summary.source) || !token_account(ledger, summary.destination) ||
      mint == ledger.end() || !mint->second.mint_decimals)
    return named("InvalidAccountData");
  TokenAccount& source = *ledger[summary.source].token;
  TokenAccount& destination = *ledger[summary.destination].token;
  if (source.mint != *summary.mint || destination.mint != *summary.mint)
    return custom(k_mint_mismatch);
  if (source.owner != call.key(3)) return custom(k_owner_mismatch);
  if (call.data()[9] != *mint->second.mint_decimals) return custom(k_decimals_mismatch);
  if (source.amount < summary.amount) return custom(k_insufficient_funds);
  source.amount -= summary.amount;
  destination.amount += summary.amount;
  return std::nullopt;
}

Failure create_token_account(const Call& call, const ChainInstruction& summary, Ledger& ledger) {
  if (!call.signer(0)) return named("MissingRequiredSignature");
  if (summary.destination != solana::associated_token_address(summary.recipient, *summary.mint))
    return named("InvalidSeeds");
  if (call.key(4) != solana::system_program() || call.key(5) != solana::token_program())
    return named("IncorrectProgramId");
  const auto mint = ledger.find(*summary.mint);
  if (mint == ledger.end() || !mint->second.mint_decimals) return named("InvalidAccountData");
  if (const auto existing = ledger.find(summary.destination); existing != ledger.end()) {
    const std::optional<TokenAccount>& token = existing->second.token;
    const bool same = token && token->owner == summary.recipient && token->mint == *summary.mint;
    return same ? std::nullopt : Failure(named("IllegalOwner"));  // idempotent: no change
  }
  if (!call.writable(0) || !call.writable(1)) return named("ReadonlyLamportChange");
  Account& payer = ledger[summary.source];
  if (payer.lamports < k_token_account_rent) return custom(k_insufficient_funds);
  payer.lamports -= k_token_account_rent;
  ledger[summary.destination] =
      Account{.lamports = k_token_account_rent,
              .token = TokenAccount{.owner = summary.recipient, .mint = *summary.mint}};
  return std::nullopt;
}

// What the Memo program checks, in its order: every account given signs, then the data is UTF-8
// (Rust's from_utf8: strict, as is_valid_utf8). It changes no account.
Failure memo(const Call& call, const ChainInstruction& summary) {
  for (std::size_t i = 0; i < call.account_count(); ++i)
    if (!call.signer(i)) return named("MissingRequiredSignature");
  if (!is_valid_utf8(summary.memo)) return named("InvalidInstructionData");
  return std::nullopt;
}

bool is_known_program(const PublicKey& program) {
  return program == solana::system_program() || program == solana::token_program() ||
         program == solana::associated_token_account_program();
}

Failure run(const Call& call, const ChainInstruction& summary, const std::set<PublicKey>& failing,
            Ledger& ledger) {
  switch (summary.kind) {
    case Kind::system_transfer:
    case Kind::token_transfer_checked:
      if (failing.contains(summary.destination) || failing.contains(summary.recipient))
        return custom(k_insufficient_funds);
      return summary.kind == Kind::system_transfer ? transfer_lamports(call, summary, ledger)
                                                   : transfer_tokens(call, summary, ledger);
    case Kind::create_associated_token_account:
      return create_token_account(call, summary, ledger);
    case Kind::memo:
      return memo(call, summary);
    case Kind::unknown:
      break;
  }
  return is_known_program(call.program()) ? named("InvalidInstructionData")
                                          : named("UnsupportedProgramId");
}

}  // namespace

const solana::PublicKey& Account::owner_program() const {
  return token || mint_decimals ? solana::token_program() : solana::system_program();
}

Execution execute(const solana::DecodedTransaction& tx, const std::set<solana::PublicKey>& failing,
                  Ledger& ledger) {
  Ledger working = ledger;  // committed only if every instruction succeeds
  Execution execution;
  for (std::size_t i = 0; i < tx.instructions.size(); ++i) {
    const Call call{tx, tx.instructions[i]};
    execution.instructions.push_back(summary_of(call, working));
    if (execution.err) continue;  // the rest are read, not run
    if (Failure failure = run(call, execution.instructions.back(), failing, working))
      execution.err = json::object{{"InstructionError", json::array{i, std::move(*failure)}}};
  }
  if (!execution.err) ledger = std::move(working);
  return execution;
}

}  // namespace payrollx::test::fake_solana
