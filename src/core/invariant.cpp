#include "core/invariant.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "core/log.hpp"

namespace payrollx {

void invariant_broken(std::string_view condition, std::string_view what, std::string_view file,
                      int line) {
  const auto where = fmt::format("{}:{}", file, line);
#ifndef NDEBUG
  std::fprintf(stderr, "invariant broken at %s: %.*s (%.*s)\n", where.c_str(),
               static_cast<int>(what.size()), what.data(), static_cast<int>(condition.size()),
               condition.data());
  std::abort();
#else
  log::error("invariant.broken", {{"where", where}, {"what", what}, {"condition", condition}});
  throw InvariantBroken(fmt::format("invariant broken at {}: {}", where, what));
#endif
}

}  // namespace payrollx
