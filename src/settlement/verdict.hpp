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
  wait,             // landed, not yet at the commitment asked for (or failed, not yet final)
  resend,           // unknown to the chain and still valid: send the same bytes again
  expired,          // unknown to the chain, which has finalized past its last valid height
};

// `finalized_height` must have been read before `status`: a transaction that was unknown after
// the chain finalized past its last valid block height can never land (a later block cannot
// hold it), so only then is a new one built.
Verdict judge(const std::optional<solana::SignatureStatus>& status, std::uint64_t finalized_height,
              std::uint64_t last_valid_block_height, solana::Commitment wanted);

}  // namespace payrollx::settlement
