#pragma once
// Private to core/db: bound parameters as libpq's PQsend* functions take them, one C string each
// (a null pointer for SQL NULL). They point into `params`, which must outlive them; up to 16
// need no allocation.
#include <boost/container/small_vector.hpp>
#include <vector>

#include "core/db/value.hpp"

namespace payrollx::db {

using ParamValues = boost::container::small_vector<const char*, 16>;

inline ParamValues param_values(const std::vector<Param>& params) {
  ParamValues values;
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  return values;
}

}  // namespace payrollx::db
