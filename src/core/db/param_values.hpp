#pragma once
// Private to core/db: bound parameters as libpq's PQsend* functions take them: a pointer to each
// value (null for SQL NULL), its length and its format (0 text, 1 binary; libpq reads a length
// for binary values only). They point into `params`, which must outlive them; up to 16 need no
// allocation.
#include <boost/container/small_vector.hpp>
#include <vector>

#include "core/db/value.hpp"

namespace payrollx::db {

struct ParamValues {
  boost::container::small_vector<const char*, 16> values;
  boost::container::small_vector<int, 16> lengths;
  boost::container::small_vector<int, 16> formats;

  int count() const { return static_cast<int>(values.size()); }
};

inline ParamValues param_values(const std::vector<Param>& params) {
  ParamValues out;
  for (const auto& param : params) {
    out.values.push_back(param ? param->c_str() : nullptr);
    out.lengths.push_back(param ? static_cast<int>(param->size()) : 0);
    out.formats.push_back(param.binary() ? 1 : 0);
  }
  return out;
}

}  // namespace payrollx::db
