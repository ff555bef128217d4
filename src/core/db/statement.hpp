#pragma once
// A statement with its bound parameters, kept to be sent later with others (Tx::defer, Tx::send).
#include <memory>
#include <optional>
#include <vector>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/db/value.hpp"

namespace payrollx::db {

struct Statement {
  Query query;  // its text must outlive the sending: a constexpr query's does
  std::vector<Param> params;
  // Where its answer goes once it ran, when somebody reads it (Tx::send); else null.
  std::shared_ptr<std::optional<Result>> answer;
};

}  // namespace payrollx::db
