// The settlement job's reading of the chain (settlement/verdict.hpp): what may be re-sent, what is
// final, and when — only then — a new transaction may be built.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "settlement/verdict.hpp"

namespace {

using payrollx::settlement::judge;
using payrollx::settlement::Verdict;
using payrollx::solana::Commitment;
using payrollx::solana::SignatureStatus;

SignatureStatus status(std::optional<Commitment> reached, bool failed = false) {
  SignatureStatus answer{.slot = 42, .confirmation = reached, .error = std::nullopt};
  if (failed) answer.error = boost::json::parse(R"({"InstructionError":[0,{"Custom":1}]})");
  return answer;
}

}  // namespace

TEST_CASE("settlement verdict: an unknown signature is re-sent until the chain finalized past it") {
  CHECK(judge(std::nullopt, 100, 150, Commitment::finalized) == Verdict::resend);
  CHECK(judge(std::nullopt, 150, 150, Commitment::finalized) == Verdict::resend);
  CHECK(judge(std::nullopt, 151, 150, Commitment::finalized) == Verdict::expired);
}

TEST_CASE("settlement verdict: success counts at the commitment asked for, not before") {
  CHECK(judge(status(Commitment::processed), 100, 150, Commitment::confirmed) == Verdict::wait);
  CHECK(judge(status(Commitment::confirmed), 100, 150, Commitment::confirmed) ==
        Verdict::completed);
  CHECK(judge(status(Commitment::confirmed), 100, 150, Commitment::finalized) == Verdict::wait);
  CHECK(judge(status(Commitment::finalized), 100, 150, Commitment::finalized) ==
        Verdict::completed);
  // No confirmation status: rooted long ago. A landed one is never "expired", whatever the height.
  CHECK(judge(status(std::nullopt), 900, 150, Commitment::finalized) == Verdict::completed);
}

TEST_CASE("settlement verdict: a failure is final only once finalized") {
  CHECK(judge(status(Commitment::processed, true), 100, 150, Commitment::confirmed) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::confirmed, true), 100, 150, Commitment::confirmed) ==
        Verdict::wait);
  CHECK(judge(status(Commitment::finalized, true), 100, 150, Commitment::confirmed) ==
        Verdict::failed_on_chain);
  CHECK(judge(status(std::nullopt, true), 900, 150, Commitment::finalized) ==
        Verdict::failed_on_chain);
}
