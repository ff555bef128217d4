#include "core/db/session.hpp"

#include "core/db/connection.hpp"

namespace payrollx::db {

boost::asio::awaitable<Result> Session::execute(const Query& query, std::vector<Param> params) {
  co_return co_await connection_.execute(query, params);
}

boost::asio::awaitable<void> Session::run_script(std::string_view sql) {
  co_await connection_.run_script(sql);
}

void Tx::run_after_commit_hooks() noexcept {
  for (auto& hook : hooks_) hook();
  hooks_.clear();
}

}  // namespace payrollx::db
