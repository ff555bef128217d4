#pragma once
// What every harness checks besides the sanitizers: a property that fails aborts, so that
// libFuzzer keeps the input as a crash. Unlike assert, never compiled out.
#include <cstdio>
#include <cstdlib>

#include "core/error.hpp"

#define FUZZ_CHECK(condition) \
  ((condition) ? void() : ::payrollx::fuzz::fail(#condition, __FILE__, __LINE__))

namespace payrollx::fuzz {

[[noreturn]] inline void fail(const char* property, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: property does not hold: %s\n", file, line, property);
  std::abort();
}

// Runs a reader of client input: true when it accepted the input, false when it refused it with
// a 400 problem that says what is wrong (bad input is a 4xx that changes nothing; a 5xx is a
// bug). Any other exception escapes, and libFuzzer reports it.
template <class Read>
bool accepts(Read&& read) {
  try {
    read();
    return true;
  } catch (const Problem& problem) {
    FUZZ_CHECK(problem.status() == 400);
    FUZZ_CHECK(!problem.detail().empty());
    // (A field's name may be empty: {"": 1} has an unknown field "".)
    for (const auto& error : problem.errors()) FUZZ_CHECK(!error.message.empty());
    return false;
  }
}

}  // namespace payrollx::fuzz
