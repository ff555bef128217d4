#include "fake_solana_chain.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "solana/address.hpp"

namespace payrollx::test::fake_solana {

namespace json = boost::json;
using solana::Commitment;
using solana::PublicKey;

// Mainnet's epoch length: the fake's slots stay in epoch 0 unless a test starts it far on.
constexpr std::uint64_t k_slots_per_epoch = 432'000;

Chain::Chain(const FakeSolanaOptions& options)
    : options_(options), height_(options.initial_height) {
  if (options.finalize_blocks < options.confirm_blocks)
    throw std::invalid_argument("FakeSolana: finalize_blocks < confirm_blocks");
}

std::uint64_t Chain::height_at(Commitment commitment) const {
  const std::uint64_t lag = commitment == Commitment::processed   ? 0
                            : commitment == Commitment::confirmed ? options_.confirm_blocks
                                                                  : options_.finalize_blocks;
  return height_ > lag ? height_ - lag : 0;
}

void Chain::advance(std::uint64_t blocks) {
  for (std::uint64_t i = 0; i < blocks; ++i) {
    ++height_;
    land_due();
  }
}

json::object Chain::epoch_info(Commitment commitment) const {
  const std::uint64_t height = height_at(commitment);
  const std::uint64_t slot = slot_of(height);
  // The transactions in the blocks up to that one (a node's count has the votes too); landed_ is
  // in height order.
  const auto after = std::partition_point(
      landed_.begin(), landed_.end(),
      [height](const LandedTransaction& landed) { return landed.height <= height; });
  return json::object{{"absoluteSlot", slot},
                      {"blockHeight", height},
                      {"epoch", slot / k_slots_per_epoch},
                      {"slotIndex", slot % k_slots_per_epoch},
                      {"slotsInEpoch", k_slots_per_epoch},
                      {"transactionCount", after - landed_.begin()}};
}

solana::LatestBlockhash Chain::issue_blockhash(Commitment commitment) {
  solana::LatestBlockhash latest;
  randombytes_buf(latest.blockhash.data(), latest.blockhash.size());
  latest.last_valid_block_height = height_at(commitment) + options_.blockhash_validity;
  blockhashes_[latest.blockhash] = latest.last_valid_block_height;
  return latest;
}

bool Chain::is_known(const std::string& signature) const {
  if (landed_index_.contains(signature) || dropped_.contains(signature)) return true;
  for (const Pending& pending : pending_)
    if (pending.signature == signature) return true;
  return false;
}

std::variant<std::string, Refusal> Chain::submit(std::span<const std::uint8_t> bytes) {
  Pending pending;
  try {
    pending.tx = solana::decode_transaction(bytes);
  } catch (const solana::WireError& error) {
    return Refusal{-32602, std::string("failed to deserialize transaction: ") + error.what()};
  }
  if (pending.tx.signatures.empty())
    return Refusal{-32602, "invalid transaction: the message has no signer"};
  if (!pending.tx.signatures_verify())
    return Refusal{-32003, "Transaction signature verification failure"};
  pending.signature = solana::to_base58(pending.tx.signatures.front());
  // The same transaction again (the sender's retry): nothing changes, whether it landed, is to
  // land or was dropped.
  if (is_known(pending.signature)) return pending.signature;
  const auto blockhash = blockhashes_.find(pending.tx.recent_blockhash);
  const bool current = blockhash != blockhashes_.end() && height_ <= blockhash->second;
  if (!current && options_.reject_unknown_blockhash)
    return Refusal{-32002, "Transaction simulation failed: Blockhash not found"};
  if (drops_ > 0) {
    --drops_;
    dropped_.insert(pending.signature);
    return pending.signature;
  }
  pending.lands_at = height_ + options_.landing_delay;
  std::string signature = pending.signature;
  pending_.push_back(std::move(pending));
  land_due();  // a landing delay of zero
  return signature;
}

void Chain::land_due() {
  std::vector<Pending> waiting;
  for (Pending& pending : pending_) {
    if (pending.lands_at > height_)
      waiting.push_back(std::move(pending));
    else if (!land(pending))
      dropped_.insert(pending.signature);
  }
  pending_ = std::move(waiting);
}

bool Chain::land(const Pending& pending) {
  const auto blockhash = blockhashes_.find(pending.tx.recent_blockhash);
  if (blockhash == blockhashes_.end() || height_ > blockhash->second) return false;  // expired
  const std::uint64_t fee = options_.fee_per_signature * pending.tx.signatures.size();
  Account& fee_payer = ledger_[pending.tx.accounts.front()];
  if (fee_payer.lamports < fee) return false;  // the leader drops what cannot pay its fee
  fee_payer.lamports -= fee;
  Execution execution = execute(pending.tx, failing_, ledger_);
  landed_index_[pending.signature] = landed_.size();
  landed_.push_back(LandedTransaction{
      .signature = pending.signature,
      .slot = slot(),
      .height = height_,
      .err = execution.err ? std::optional(json::serialize(*execution.err)) : std::nullopt,
      .instructions = std::move(execution.instructions)});
  return true;
}

std::uint64_t Chain::status_height() const {
  return height_ > status_lag_ ? height_ - status_lag_ : 0;
}

json::value Chain::status(const std::string& signature, bool search_history) const {
  const auto found = landed_index_.find(signature);
  if (found == landed_index_.end()) return nullptr;
  const LandedTransaction& landed = landed_[found->second];
  const std::uint64_t seen_at = status_height();
  if (landed.height > seen_at) return nullptr;  // a lagging node has not seen its block yet
  // Pruned, whether or not it is still in the status cache window: on a real cluster pruning
  // reaches only slots long out of that cache, so the difference never shows there, and a test
  // needs no 150 blocks of history to see a pruned node.
  if (landed.slot < minimum_ledger_slot_) return nullptr;
  const std::uint64_t depth = seen_at - landed.height;
  if (!search_history && depth > options_.status_cache_blocks) return nullptr;
  const json::value err = landed.err ? json::parse(*landed.err) : json::value(nullptr);
  const bool finalized = depth >= options_.finalize_blocks;
  const Commitment confirmation = finalized                          ? Commitment::finalized
                                  : depth >= options_.confirm_blocks ? Commitment::confirmed
                                                                     : Commitment::processed;
  json::object status{
      {"slot", landed.slot},
      {"confirmations", finalized ? json::value(nullptr) : json::value(depth)},
      {"err", err},
      {"status", err.is_null() ? json::object{{"Ok", nullptr}} : json::object{{"Err", err}}}};
  if (!options_.omit_confirmation_status)
    status["confirmationStatus"] = solana::to_string(confirmation);
  return status;
}

json::value Chain::account_info(const PublicKey& key) const {
  const auto found = ledger_.find(key);
  // A plain account without lamports does not exist on chain.
  const bool exists =
      found != ledger_.end() &&
      (found->second.owner_program() != solana::system_program() || found->second.lamports > 0);
  if (!exists) return nullptr;
  return json::object{{"lamports", found->second.lamports},
                      {"owner", found->second.owner_program().to_base58()},
                      {"data", json::array{"", "base64"}},
                      {"executable", false},
                      {"rentEpoch", 0},
                      {"space", 0}};
}

void Chain::set_minimum_ledger_slot(std::uint64_t slot) {
  if (slot > this->slot())
    throw std::invalid_argument("FakeSolana: a minimum ledger slot above the current slot");
  minimum_ledger_slot_ = slot;
}

void Chain::fund_lamports(const PublicKey& key, std::uint64_t lamports) {
  ledger_[key].lamports += lamports;
}

PublicKey Chain::fund_tokens(const PublicKey& owner, const PublicKey& mint, std::uint64_t amount,
                             std::uint8_t decimals) {
  Account& mint_account = ledger_[mint];
  if (!mint_account.mint_decimals) {
    if (mint_account.lamports != 0 || mint_account.token)
      throw std::invalid_argument("FakeSolana: the mint is another kind of account");
    mint_account = Account{.lamports = k_mint_rent, .mint_decimals = decimals};
  }
  if (*mint_account.mint_decimals != decimals)
    throw std::invalid_argument("FakeSolana: the mint has other decimals");
  const PublicKey address = solana::associated_token_address(owner, mint);
  Account& account = ledger_[address];
  if (!account.token) {
    if (account.mint_decimals) throw std::invalid_argument("FakeSolana: the address is a mint");
    account.lamports += k_token_account_rent;
    account.token = TokenAccount{.owner = owner, .mint = mint};
  }
  account.token->amount += amount;
  return address;
}

std::uint64_t Chain::lamports(const PublicKey& key) const {
  const auto found = ledger_.find(key);
  return found != ledger_.end() ? found->second.lamports : 0;
}

std::uint64_t Chain::token_balance(const PublicKey& owner, const PublicKey& mint) const {
  const auto found = ledger_.find(solana::associated_token_address(owner, mint));
  return found != ledger_.end() && found->second.token ? found->second.token->amount : 0;
}

}  // namespace payrollx::test::fake_solana
