#include "core/db/session.hpp"

#include "core/db/connection.hpp"

namespace payrollx::db {

boost::asio::awaitable<Result> Session::execute(const Query& query, std::vector<Param> params) {
  co_return co_await connection_.execute(query, params);
}

boost::asio::awaitable<void> Session::run_script(std::string_view sql) {
  co_await connection_.run_script(sql);
}

boost::asio::awaitable<void> Tx::run_before_commit_hooks() {
  // By index: a hook may register another one, which then runs after it.
  for (std::size_t i = 0; i < hooks_.size(); ++i) {
    Hook hook = hooks_[i];
    co_await hook(*this);
  }
  hooks_.clear();
}

}  // namespace payrollx::db
