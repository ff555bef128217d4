#pragma once
// What the chain's answers mean for a stored transaction that may have landed: the one decision
// of the settlement job that money depends on, kept pure so that every case is tested.
#include <cstdint>
#include <optional>

#include "solana/rpc.hpp"

namespace payrollx::settlement {

enum class Verdict {
  completed,        // landed without error at the commitment asked for
  failed_on_chain,  // landed with an error, finalized: it will never pay
  wait,             // landed, not yet at the commitment asked for (or failed, not yet final), or
                    // unknown to a node that is behind: ask again
  resend,           // unknown to the chain and still valid: send the same bytes again
  expired,          // proven never to land: only now may a new transaction be built
  unprovable,       // unknown, expired, but the node no longer holds the slots where it could be
};

// What the job read from the cluster, in this order: the finalized slot and block height (one
// getEpochInfo), then the statuses (their answer's context slot), then the oldest slot the node
// holds.
struct ChainView {
  std::uint64_t finalized_slot = 0;
  std::uint64_t finalized_height = 0;
  std::uint64_t statuses_slot = 0;
  std::uint64_t minimum_ledger_slot = 0;
};

// The stored transaction: its last valid block height and the slot its blockhash was read at,
// and the first finalized slot an earlier check saw past that height, if any.
struct Sent {
  std::uint64_t last_valid_block_height = 0;
  std::uint64_t blockhash_slot = 0;
  std::optional<std::uint64_t> finalized_past_slot;
};

// "Unknown" proves that a transaction never landed only when all of these hold: the chain has
// finalized a block past its last valid block height (no later block may hold it); the node that
// answered the statuses had seen at least up to a finalized slot past that height, this check's
// or an earlier one's (behind a load balancer the statuses may come from a node that lags the one
// that gave the height, and one that lags by more than the finalization depth never reaches the
// latest finalized slot); and that node still holds every slot from the one the blockhash was read
// at (a pruned node forgets what landed).
Verdict judge(const std::optional<solana::SignatureStatus>& status, const ChainView& chain,
              const Sent& sent, solana::Commitment wanted);

}  // namespace payrollx::settlement
