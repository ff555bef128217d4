#pragma once
// PAYROLLX_INVARIANT(condition, what): a promise the code keeps about its own state (a pool's
// counts, balanced legs, a report's rows), checked where a broken one would corrupt something.
// It is never an input check: bad input gets a 4xx before it gets here. A broken invariant is a
// bug: a debug build aborts at once with the file and line (the state is there to inspect); a
// release build logs it at error level and throws InvariantBroken, so the request or job fails
// and its transaction rolls back instead of writing on from a state nobody understands.
#include <stdexcept>
#include <string_view>

namespace payrollx {

class InvariantBroken : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void invariant_broken(std::string_view condition, std::string_view what,
                                   std::string_view file, int line);

}  // namespace payrollx

#define PAYROLLX_INVARIANT(condition, what)                                               \
  do {                                                                                    \
    if (!(condition)) ::payrollx::invariant_broken(#condition, what, __FILE__, __LINE__); \
  } while (false)
