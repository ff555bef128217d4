#include "settlement/verdict.hpp"

namespace payrollx::settlement {
namespace {

int rank(solana::Commitment commitment) {
  return static_cast<int>(commitment);  // processed < confirmed < finalized
}

}  // namespace

Verdict judge(const std::optional<solana::SignatureStatus>& status, std::uint64_t finalized_height,
              std::uint64_t last_valid_block_height, solana::Commitment wanted) {
  if (!status)
    return finalized_height > last_valid_block_height ? Verdict::expired : Verdict::resend;
  // No confirmation status: rooted long ago.
  const auto reached = status->confirmation.value_or(solana::Commitment::finalized);
  if (status->error)
    // An error seen on a fork that is then abandoned is no verdict: the same bytes could still
    // land elsewhere. Only a finalized failure is final.
    return reached == solana::Commitment::finalized ? Verdict::failed_on_chain : Verdict::wait;
  return rank(reached) >= rank(wanted) ? Verdict::completed : Verdict::wait;
}

}  // namespace payrollx::settlement
