// Boost's assertions stay on in the fuzzers (a failed one is a finding too) and come here, where
// each one aborts but a known false alarm.
#include <boost/assert.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  // Beast 1.81's chunked body parser asserts n >= 5 when the last chunk's line breaks arrive in
  // pieces ("0\r\n", "\r", "\n"), a case the code after the assert handles (boostorg/beast
  // PR 2861 relaxed it in 2024). The server's release build compiles asserts out.
  if (std::string_view(expr) == "n >= 5" && std::string_view(file).ends_with("basic_parser.ipp"))
    return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion failed: %s %s\n", file, line, function, expr,
               msg ? msg : "");
  std::abort();
}

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
