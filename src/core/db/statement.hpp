#pragma once
// A statement with its bound parameters, kept to be sent later with others (Tx::defer).
#include <vector>

#include "core/db/query.hpp"
#include "core/db/value.hpp"

namespace payrollx::db {

struct Statement {
  Query query;  // its text must outlive the sending: a constexpr query's does
  std::vector<Param> params;
};

}  // namespace payrollx::db
