#include "settlement/verdict.hpp"

#include <algorithm>

namespace payrollx::settlement {
namespace {

int rank(solana::Commitment commitment) {
  return static_cast<int>(commitment);  // processed < confirmed < finalized
}

Verdict unknown(const ChainView& chain, const Sent& sent) {
  if (chain.finalized_height <= sent.last_valid_block_height) return Verdict::resend;
  // Any finalized slot past the last valid height will do: the earliest known asks least of a
  // node that lags.
  const auto past =
      std::min(chain.finalized_slot, sent.finalized_past_slot.value_or(chain.finalized_slot));
  if (chain.statuses_slot < past) return Verdict::wait;
  if (chain.minimum_ledger_slot > sent.blockhash_slot) return Verdict::unprovable;
  return Verdict::expired;
}

}  // namespace

Verdict judge(const std::optional<solana::SignatureStatus>& status, const ChainView& chain,
              const Sent& sent, solana::Commitment wanted) {
  if (!status) return unknown(chain, sent);
  if (status->error)
    // An error seen on a fork that is then abandoned is no verdict: the same bytes could still
    // land elsewhere. Only a finalized failure is final.
    return status->confirmation == solana::Commitment::finalized ? Verdict::failed_on_chain
                                                                 : Verdict::wait;
  return rank(status->confirmation) >= rank(wanted) ? Verdict::completed : Verdict::wait;
}

}  // namespace payrollx::settlement
