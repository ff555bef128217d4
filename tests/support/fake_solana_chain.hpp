#pragma once
// The fake cluster's chain: block height, the blockhashes it issued, the transactions sent and
// waiting to land, those landed, and their statuses. Not thread-safe: FakeSolana holds a lock
// around every use. Internal to fake_solana.
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "fake_solana.hpp"
#include "fake_solana_programs.hpp"
#include "solana/rpc.hpp"
#include "solana/wire.hpp"

namespace payrollx::test::fake_solana {

// Slots ahead of the block height (fake_solana.hpp: FakeSolana::slot).
constexpr std::uint64_t k_skipped_slots = 500;

// Why sendTransaction refused a transaction: a JSON-RPC error.
struct Refusal {
  int code = 0;
  std::string message;
};

class Chain {
 public:
  explicit Chain(const FakeSolanaOptions& options);

  std::uint64_t height() const { return height_; }
  std::uint64_t slot() const { return slot_of(height_); }
  // The slot of the block at `height`: every block here skips the same number of slots.
  static std::uint64_t slot_of(std::uint64_t height) { return height + k_skipped_slots; }
  // The height of the newest block at `commitment`.
  std::uint64_t height_at(solana::Commitment commitment) const;
  void advance(std::uint64_t blocks);
  // getEpochInfo's result at `commitment`, from the current view (never the lagging one).
  boost::json::object epoch_info(solana::Commitment commitment) const;

  // A new blockhash, valid until the answered height.
  solana::LatestBlockhash issue_blockhash(solana::Commitment commitment);
  // sendTransaction of wire bytes: the signature (base58), or why they are refused.
  std::variant<std::string, Refusal> submit(std::span<const std::uint8_t> bytes);
  // The height getSignatureStatuses answers at: height() less the status lag.
  std::uint64_t status_height() const;
  // getSignatureStatuses' entry for one signature, as seen at status_height(): null, or the
  // status object.
  boost::json::value status(const std::string& signature, bool search_history) const;
  // getAccountInfo's value: null, or the account object.
  boost::json::value account_info(const solana::PublicKey& key) const;

  void fund_lamports(const solana::PublicKey& key, std::uint64_t lamports);
  solana::PublicKey fund_tokens(const solana::PublicKey& owner, const solana::PublicKey& mint,
                                std::uint64_t amount, std::uint8_t decimals);
  void drop_next(int count) { drops_ += count; }
  void fail_on_land(const solana::PublicKey& destination) { failing_.insert(destination); }
  std::uint64_t minimum_ledger_slot() const { return minimum_ledger_slot_; }
  void set_minimum_ledger_slot(std::uint64_t slot);
  void set_status_lag(std::uint64_t blocks) { status_lag_ = blocks; }

  const std::vector<LandedTransaction>& landed() const { return landed_; }
  std::uint64_t lamports(const solana::PublicKey& key) const;
  std::uint64_t token_balance(const solana::PublicKey& owner, const solana::PublicKey& mint) const;

 private:
  struct Pending {
    solana::DecodedTransaction tx;
    std::string signature;
    std::uint64_t lands_at = 0;  // block height
  };

  bool is_known(const std::string& signature) const;
  // Lands (or drops, when its blockhash expired or its fee payer cannot pay) every pending
  // transaction due at the current height, in the order they were sent.
  void land_due();
  // Whether it landed (with or without an err).
  bool land(const Pending& pending);

  FakeSolanaOptions options_;
  std::uint64_t height_ = 0;
  std::map<solana::Blockhash, std::uint64_t> blockhashes_;  // → lastValidBlockHeight
  std::vector<Pending> pending_;
  std::set<std::string, std::less<>> dropped_;  // accepted, never to land
  std::vector<LandedTransaction> landed_;
  std::map<std::string, std::size_t, std::less<>> landed_index_;  // signature → landed_
  Ledger ledger_;
  int drops_ = 0;
  std::set<solana::PublicKey> failing_;
  std::uint64_t minimum_ledger_slot_ = 0;
  std::uint64_t status_lag_ = 0;  // blocks
};

}  // namespace payrollx::test::fake_solana
