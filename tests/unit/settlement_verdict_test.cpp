// The settlement job's reading of the chain (settlement/verdict.hpp): what may be re-sent, what is
// final, and when — only then — a new transaction may be built.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "settlement/verdict.hpp"

namespace {

using payrollx::settlement::ChainView;
using payrollx::settlement::judge;
using payrollx::settlement::Sent;
using payrollx::settlement::Verdict;
using payrollx::solana::Commitment;
using payrollx::solana::SignatureStatus;

SignatureStatus status(Commitment reached, bool failed = false) {
  SignatureStatus answer{.slot = 42, .confirmation = reached, .error = std::nullopt};
  if (failed) answer.error = boost::json::parse(R"({"InstructionError":[0,{"Custom":1}]})");
  return answer;
}

// Built at slot 500 with a blockhash valid to height 150; the node holds everything, and the
// statuses came from a node as recent as the finalized slot.
constexpr Sent k_sent{.last_valid_block_height = 150, .blockhash_slot = 500};

ChainView finalized_at(std::uint64_t height) {
  return {.finalized_slot = height + 400,
          .finalized_height = height,
          .statuses_slot = height + 400,
          .minimum_ledger_slot = 0};
}

}  // namespace

TEST_CASE("settlement verdict: an unknown signature is re-sent until the chain finalized past it") {
  CHECK(judge(std::nullopt, finalized_at(100), k_sent, Commitment::finalized) == Verdict::resend);
  CHECK(judge(std::nullopt, finalized_at(150), k_sent, Commitment::finalized) == Verdict::resend);
  CHECK(judge(std::nullopt, finalized_at(151), k_sent, Commitment::finalized) == Verdict::expired);
}

TEST_CASE("settlement verdict: unknown to a node that lags the finalized slot proves nothing") {
  auto behind = finalized_at(200);
  behind.statuses_slot = behind.finalized_slot - 1;
  CHECK(judge(std::nullopt, behind, k_sent, Commitment::finalized) == Verdict::wait);
  behind.statuses_slot = behind.finalized_slot;
  CHECK(judge(std::nullopt, behind, k_sent, Commitment::finalized) == Verdict::expired);
}

TEST_CASE("settlement verdict: a node that always lags the finalized slot proves it in time") {
  // An earlier check saw the chain finalized past the last valid height at slot 560: a node that
  // reached that slot has seen every block the transaction could be in, however far it now lags.
  auto sent = k_sent;
  sent.finalized_past_slot = 560;
  auto behind = finalized_at(300);
  behind.statuses_slot = 559;
  CHECK(judge(std::nullopt, behind, sent, Commitment::finalized) == Verdict::wait);
  behind.statuses_slot = 560;
  CHECK(judge(std::nullopt, behind, sent, Commitment::finalized) == Verdict::expired);
  // What it found still counts, and a pruned node still proves nothing.
  CHECK(judge(status(Commitment::finalized), behind, sent, Commitment::finalized) ==
        Verdict::completed);
  behind.minimum_ledger_slot = sent.blockhash_slot + 1;
  CHECK(judge(std::nullopt, behind, sent, Commitment::finalized) == Verdict::unprovable);
  // A later getEpochInfo from a node not yet past the last valid height: the same bytes again.
  CHECK(judge(std::nullopt, finalized_at(150), sent, Commitment::finalized) == Verdict::resend);
}

TEST_CASE("settlement verdict: unknown to a node that pruned the slots proves nothing") {
  auto pruned = finalized_at(200);
  pruned.minimum_ledger_slot = k_sent.blockhash_slot + 1;
  CHECK(judge(std::nullopt, pruned, k_sent, Commitment::finalized) == Verdict::unprovable);
  pruned.minimum_ledger_slot = k_sent.blockhash_slot;
  CHECK(judge(std::nullopt, pruned, k_sent, Commitment::finalized) == Verdict::expired);
}

TEST_CASE("settlement verdict: success counts at the commitment asked for, not before") {
  const auto chain = finalized_at(100);
  CHECK(judge(status(Commitment::processed), chain, k_sent, Commitment::confirmed) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::confirmed), chain, k_sent, Commitment::confirmed) ==
        Verdict::completed);
  CHECK(judge(status(Commitment::confirmed), chain, k_sent, Commitment::finalized) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::finalized), chain, k_sent, Commitment::finalized) ==
        Verdict::completed);
  // A landed one is never "expired", whatever the height.
  CHECK(judge(status(Commitment::finalized), finalized_at(900), k_sent, Commitment::finalized) ==
        Verdict::completed);
}

TEST_CASE("settlement verdict: a failure is final only once finalized") {
  const auto chain = finalized_at(100);
  CHECK(judge(status(Commitment::processed, true), chain, k_sent, Commitment::confirmed) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::confirmed, true), chain, k_sent, Commitment::confirmed) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::finalized, true), chain, k_sent, Commitment::confirmed) ==
        Verdict::failed_on_chain);
}
