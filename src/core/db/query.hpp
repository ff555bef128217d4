#pragma once
#include <string_view>

namespace payrollx::db {

// A named SQL text. The name is at once the prepared-statement name on every connection, the
// metrics label and what the slow-query log prints (never the parameters). Stores declare
// their queries as `constexpr db::Query k_select_user{"auth.select_user", "SELECT ..."};`: the
// text of a named query lives as long as the program (a connection recognises a statement it
// prepared by the text's address, and compares the text itself only at another address).
struct Query {
  std::string_view name;
  std::string_view sql;
  // A short read (a lookup by key) that Pool::query may send on a connection it shares,
  // pipelined, with the other shared statements of the same io thread (see core/db/pipeline.hpp).
  // It must only read, because a statement that the pipeline lost is sent again: a promise of
  // the store that declares it (that the text starts with SELECT is checked; `SELECT ... INTO`
  // or a function that writes would not be caught).
  // Only for statements that finish in microseconds: a slow one delays every one sent after it.
  bool shared = false;
};

}  // namespace payrollx::db
