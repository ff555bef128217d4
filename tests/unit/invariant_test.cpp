// PAYROLLX_INVARIANT (core/invariant.hpp): silent while it holds; broken in a release build (the
// tests' build), it throws InvariantBroken naming the file, the line and what broke.
#include "core/invariant.hpp"

#include <catch2/catch.hpp>
#include <string>

TEST_CASE("invariant: a kept promise costs nothing, a broken one throws with where and what") {
  int checked = 0;
  auto keep = [&] {
    ++checked;
    return true;
  };
  PAYROLLX_INVARIANT(keep(), "never shown");
  CHECK(checked == 1);  // the condition is evaluated once
#ifdef NDEBUG
  try {
    PAYROLLX_INVARIANT(checked == 2, "the count is off");
    FAIL("a broken invariant did not throw");
  } catch (const payrollx::InvariantBroken& e) {
    const std::string message = e.what();
    CHECK(message.find("invariant_test.cpp:") != std::string::npos);
    CHECK(message.find("the count is off") != std::string::npos);
  }
#endif
}
