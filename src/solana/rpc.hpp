#pragma once
// A client of a Solana cluster's JSON-RPC API: the five calls a settlement needs. Each call is an
// HTTP POST through libcurl on a small thread pool of the client's own, so an io thread never
// waits on the network; the awaiting coroutine resumes on its own executor.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "solana/key.hpp"

namespace payrollx::solana {

// The call did not get an answer the cluster stands behind: no connection, a timeout, an HTTP
// status other than 200, a body that is not the JSON-RPC answer expected, or a JSON-RPC error
// object. Nothing can be concluded from it about the chain; the message says which (and never
// carries a transaction's bytes).
class RpcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Commitment { processed, confirmed, finalized };
std::string_view to_string(Commitment commitment);

struct LatestBlockhash {
  Blockhash blockhash{};
  std::uint64_t last_valid_block_height = 0;
  std::uint64_t context_slot = 0;  // the slot the node answered at
};

// A signature's status as getSignatureStatuses reports it.
struct SignatureStatus {
  std::uint64_t slot = 0;
  // confirmationStatus; a node that leaves it out says "rooted" by `confirmations: null`, and
  // anything else is read as processed (the weakest claim).
  Commitment confirmation = Commitment::processed;
  std::optional<boost::json::value> error;  // the transaction's error when it failed on chain
};

struct SignatureStatuses {
  // The slot the node answered at: a status is only as recent as that.
  std::uint64_t context_slot = 0;
  std::vector<std::optional<SignatureStatus>> statuses;  // nullopt: unknown to that node
};

// getEpochInfo: a slot and the block height at it, read together from one node.
struct EpochInfo {
  std::uint64_t absolute_slot = 0;
  std::uint64_t block_height = 0;
};

struct AccountInfo {
  std::uint64_t lamports = 0;
  PublicKey owner;
};

struct RpcOptions {
  std::string url;                           // http:// or https://
  std::chrono::milliseconds timeout{10000};  // each call, connecting included
};

class RpcClient {
 public:
  explicit RpcClient(RpcOptions options);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  boost::asio::awaitable<LatestBlockhash> latest_blockhash(Commitment commitment);
  // sendTransaction of the wire bytes (base64), with preflight skipped and the node's own retries
  // off: the settlement re-sends the same bytes itself. Answers the signature the node reports.
  boost::asio::awaitable<std::string> send_transaction(const std::vector<std::uint8_t>& bytes);
  // One status per signature, in order: nullopt for a signature the node does not know.
  // `search_history`: look beyond the recent status cache (searchTransactionHistory).
  boost::asio::awaitable<SignatureStatuses> signature_statuses(
      const std::vector<std::string>& signatures, bool search_history);
  boost::asio::awaitable<std::uint64_t> block_height(Commitment commitment);
  boost::asio::awaitable<EpochInfo> epoch_info(Commitment commitment);
  // minimumLedgerSlot: the oldest slot the node still holds; older transactions are unknown
  // to it even with searchTransactionHistory.
  boost::asio::awaitable<std::uint64_t> minimum_ledger_slot();
  // nullopt when the account does not exist.
  boost::asio::awaitable<std::optional<AccountInfo>> account_info(const PublicKey& account,
                                                                  Commitment commitment);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace payrollx::solana
