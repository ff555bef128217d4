#include "core/db/session.hpp"

#include <utility>

#include "core/db/connection.hpp"

namespace payrollx::db {

boost::asio::awaitable<Result> Session::execute(const Query& query, std::vector<Param> params) {
  if (deferred_.empty()) {
    auto result = co_await connection_.execute(query, params);
    co_return result;
  }
  deferred_.push_back(Statement{query, std::move(params)});
  auto result = co_await send_deferred();
  co_return result;
}

boost::asio::awaitable<void> Session::run_script(std::string_view sql) {
  if (!deferred_.empty()) co_await send_deferred();
  co_await connection_.run_script(sql);
}

boost::asio::awaitable<Result> Session::send_deferred() {
  // Taken before sending: once sent, they are not sent again, whatever the outcome.
  const auto batch = std::exchange(deferred_, {});
  auto results = co_await connection_.execute_batch(batch);
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].answer) batch[i].answer->emplace(results[i]);
  co_return results.back();
}

namespace {

// At 100,000 employees the largest sort of an execute holds 22 MB; the default 4 MB spilled it
// and a dozen others to disk (docs/bench.md).
constexpr Query k_bulk_memory{"db.bulk_memory", "SET LOCAL work_mem = '64MB'"};
constexpr Query k_commit{"db.commit", "COMMIT"};

}  // namespace

void Tx::use_bulk_memory() {
  defer(k_bulk_memory);
}

boost::asio::awaitable<Result> Tx::answer(const Pending& pending) {
  if (!pending.answer_->has_value()) co_await send_deferred();
  co_return **pending.answer_;
}

boost::asio::awaitable<void> Tx::commit() {
  if (deferred_.empty()) {
    co_await run_script("COMMIT");
  } else {
    defer(k_commit);
    co_await send_deferred();
  }
}

void Tx::run_after_commit_hooks() noexcept {
  for (auto& hook : hooks_) hook();
  hooks_.clear();
}

}  // namespace payrollx::db
