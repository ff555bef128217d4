#include "core/db/session.hpp"

#include "core/db/connection.hpp"

namespace payrollx::db {

boost::asio::awaitable<Result> Session::execute(const Query& query, std::vector<Param> params) {
  co_return co_await connection_.execute(query, params);
}

boost::asio::awaitable<void> Session::run_script(std::string_view sql) {
  co_await connection_.run_script(sql);
}

namespace {

// At 100,000 employees the largest sort of an execute holds 22 MB; the default 4 MB spilled it
// and a dozen others to disk (docs/bench.md). A plan per execution, since a generic plan guesses
// ten elements for an array of 100,000 (TxOptions::generic_plans).
constexpr std::string_view k_bulk_settings =
    "SET LOCAL work_mem = '64MB'; SET LOCAL plan_cache_mode = auto";

}  // namespace

boost::asio::awaitable<void> Tx::use_bulk_memory() {
  co_await run_script(k_bulk_settings);
}

void Tx::run_after_commit_hooks() noexcept {
  for (auto& hook : hooks_) hook();
  hooks_.clear();
}

}  // namespace payrollx::db
