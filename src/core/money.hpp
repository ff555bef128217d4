#pragma once
// Money as people read it: amounts are int64 minor units everywhere in PayrollX; this writes one
// in major units with its currency's scale, exactly (never through floating point).
#include <cstdint>
#include <string>

namespace payrollx {

// "1234.56" for 123456 at scale 2, "-0.05" for -5, "42" at scale 0; exact for every int64.
std::string major_units(std::int64_t minor, int scale);

}  // namespace payrollx
