#pragma once
// A Solana cluster for tests: a Beast HTTP server on a free loopback port, on its own thread, that
// answers the seven JSON-RPC calls of solana/rpc.hpp as a node does, over a small chain of its own.
// The block height advances on a timer (and by hand); blockhashes expire; a transaction sent lands
// a few blocks later and is executed (System Transfer, SPL Token TransferChecked, Associated Token
// Account CreateIdempotent, SPL Memo: all its instructions or none) against lamport and token
// balances; its status moves from processed to confirmed to finalized. Knobs script outages,
// transactions the cluster drops, transfers that fail on chain, a pruned ledger and a status node
// that lags; accessors tell what was paid to whom.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "solana/key.hpp"

namespace payrollx::test {

struct FakeSolanaOptions {
  // One block each; zero: the height moves only by advance().
  std::chrono::milliseconds block_time{20};
  std::uint64_t initial_height = 1000;
  std::uint64_t blockhash_validity = 150;  // lastValidBlockHeight = height + this
  std::uint64_t landing_delay = 1;         // blocks from sendTransaction to landing (0: at once)
  std::uint64_t confirm_blocks = 1;        // blocks after landing until confirmed
  std::uint64_t finalize_blocks = 3;       // blocks after landing until finalized
  // How far back getSignatureStatuses looks without searchTransactionHistory.
  std::uint64_t status_cache_blocks = 150;
  // Statuses without confirmationStatus, as nodes before 1.5 answer: only `confirmations` (null
  // once finalized, else the blocks since landing) tells how settled a transaction is.
  bool omit_confirmation_status = false;
  // Lamports per signature, taken from the fee payer when the transaction lands, even with an
  // err; a fee payer that cannot pay it makes the transaction never land.
  std::uint64_t fee_per_signature = 5000;
  // A transaction whose blockhash the fake never issued or that has expired: true, refused with
  // JSON-RPC error -32002 "Blockhash not found" (what a node that checks it answers); false,
  // accepted and never landed (what a node does with skipPreflight).
  bool reject_unknown_blockhash = true;
  // Before each answer (computed when the request arrives: a call that times out has had its
  // effect, as a send to a real node may).
  std::chrono::milliseconds answer_delay{0};
};

// How a request fails while the node is down.
enum class RpcFailure { http_503, close_connection };

// One instruction of a landed transaction, as the fake read it.
struct ChainInstruction {
  enum class Kind {
    system_transfer,
    token_transfer_checked,
    create_associated_token_account,
    memo,  // SPL Memo v2: a no-op that records its text
    unknown
  };
  Kind kind = Kind::unknown;
  solana::PublicKey program;
  // Transfers: `from`, or the source token account. CreateIdempotent: the payer.
  solana::PublicKey source;
  // Transfers: `to`, or the destination token account. CreateIdempotent: the account created.
  solana::PublicKey destination;
  // The wallet paid: `to`, or the owner of the destination token account (the account itself
  // when it does not exist). CreateIdempotent: the new account's owner.
  solana::PublicKey recipient;
  std::optional<solana::PublicKey> mint;  // token instructions
  std::uint64_t amount = 0;               // lamports, or the token's base units
  // Memo: the instruction's data as text (its bytes as sent, even when they are not UTF-8 and the
  // transaction landed with an err for it).
  std::string memo;
};

struct LandedTransaction {
  std::string signature;  // base58, as the node reports it
  std::uint64_t slot = 0;
  std::uint64_t height = 0;        // the block height it landed at
  std::optional<std::string> err;  // the err JSON getSignatureStatuses reports; nullopt: succeeded
  std::vector<ChainInstruction> instructions;
};

// A transfer that landed without an err.
struct Payment {
  std::string signature;
  std::uint64_t slot = 0;
  std::optional<solana::PublicKey> mint;  // nullopt: lamports
  std::uint64_t amount = 0;
};

class FakeSolana {
 public:
  explicit FakeSolana(FakeSolanaOptions options = {});
  // Stops at once, whatever answer is still waiting for its delay.
  ~FakeSolana();
  FakeSolana(const FakeSolana&) = delete;
  FakeSolana& operator=(const FakeSolana&) = delete;

  // "http://127.0.0.1:<port>/".
  std::string url() const;
  std::uint64_t height() const;
  // Slots run ahead of the block height (as skipped slots make them on a real cluster), so code
  // that mixes up the two is caught.
  std::uint64_t slot() const;
  // Produces `blocks` blocks at once: transactions land, statuses move, blockhashes expire.
  void advance(std::uint64_t blocks = 1);

  void fund_lamports(const solana::PublicKey& account, std::uint64_t lamports);
  // Creates the mint (or checks that `decimals` is the existing mint's), then `owner`'s
  // associated token account for it, and adds `amount` base units. Answers the token account.
  solana::PublicKey fund_tokens(const solana::PublicKey& owner, const solana::PublicKey& mint,
                                std::uint64_t amount, std::uint8_t decimals = 6);

  // The next `count` valid transactions sent that are new to the cluster are accepted (their
  // signature answered) and never land, however often the same bytes are sent again: only a new
  // transaction (a new blockhash, so a new signature) can pay.
  void drop_next(int count);
  // Transfers to `destination` (a wallet or a token account) land with an err.
  void fail_on_land(const solana::PublicKey& destination);
  // While on, every request fails as `how` says.
  void set_outage(bool on, RpcFailure how = RpcFailure::http_503);
  // The next `count` requests fail as `how` says.
  void fail_next(int count, RpcFailure how = RpcFailure::http_503);
  void set_answer_delay(std::chrono::milliseconds delay);
  // A pruned node (or one started from a recent snapshot): minimumLedgerSlot answers `slot`, and
  // getSignatureStatuses answers null for a transaction that landed in a slot below it, even with
  // searchTransactionHistory. 0 (everything held) until set; std::invalid_argument above slot().
  void set_minimum_ledger_slot(std::uint64_t slot);
  // getSignatureStatuses answers as a node `blocks` blocks behind (0: none): its context.slot is
  // the slot of the block at height() - blocks, a transaction that landed after that block is
  // null (not yet seen), one before it has the confirmation it had then. The other calls still
  // answer from the current view, as a second node behind the same load balancer would, so a
  // getEpochInfo or getBlockHeight can be ahead of the statuses that follow it.
  void set_status_lag(std::uint64_t blocks);

  // Requests of `method` received so far, failed ones included.
  int calls(std::string_view method) const;
  int sends() const;  // calls("sendTransaction")
  // Oldest first.
  std::vector<LandedTransaction> landed() const;
  std::uint64_t lamports(const solana::PublicKey& account) const;
  // The balance of `owner`'s associated token account for `mint` (0 when it does not exist).
  std::uint64_t token_balance(const solana::PublicKey& owner, const solana::PublicKey& mint) const;
  // Every transfer that landed without an err to `wallet` (lamports to it, or tokens to a token
  // account it owns) or to the token account `wallet`, oldest first.
  std::vector<Payment> paid_to(const solana::PublicKey& wallet) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace payrollx::test
