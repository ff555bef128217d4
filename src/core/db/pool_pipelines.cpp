// The pool's share kept for pipelines: one per io_context, opened on the first shared statement
// there, its room given back to the pool when it ends.
#include <algorithm>

#include "core/db/pool_impl.hpp"
#include "core/db/pool_rules.hpp"
#include "core/invariant.hpp"
#include "core/log.hpp"

namespace payrollx::db {

std::shared_ptr<Pipeline> Pool::Impl::pipeline_for(const asio::execution_context& context,
                                                   std::uint64_t& reservation) {
  reservation = 0;
  // Behind a transaction pooler a pipeline's statements could each land on another server
  // connection in between; nothing is gained by it there, so there is none.
  if (options_.transaction_pooling) return nullptr;
  std::lock_guard lock(mutex_);
  if (closing_) return nullptr;
  auto found = find_pipeline_locked([&](const auto& entry) { return entry.context == &context; });
  if (found != pipelines_.end()) return found->pipeline;
  if (!pool_rules::may_open_pipeline(pipelines_.size(), open_, options_.max_size)) return nullptr;
  reservation = ++last_reservation_;
  pipelines_.push_back({&context, reservation, nullptr});
  take_room_locked();
  return nullptr;
}

auto Pool::Impl::find_pipeline_locked(const std::function<bool(const ContextPipeline&)>& matches)
    -> std::vector<ContextPipeline>::iterator {
  return std::find_if(pipelines_.begin(), pipelines_.end(), matches);
}

auto Pool::Impl::find_reservation_locked(std::uint64_t reservation)
    -> std::vector<ContextPipeline>::iterator {
  return find_pipeline_locked([&](const auto& entry) { return entry.reservation == reservation; });
}

// Opens the connection of the pipeline whose entry (and room) pipeline_for reserved.
asio::awaitable<std::shared_ptr<Pipeline>> Pool::Impl::open_pipeline(
    const asio::any_io_executor& borrower, std::uint64_t reservation) {
  std::unique_ptr<Connection> connection;
  try {
    connection = co_await open(borrower);
  } catch (const std::exception&) {
    // Logged, and its room released, by open(); the statement goes to a pooled connection.
  }
  const bool opened = connection != nullptr;
  std::shared_ptr<Pipeline> pipeline;
  if (opened) {
    try {
      pipeline = Pipeline::start(std::move(connection), [pool = weak_from_this(), reservation] {
        if (auto self = pool.lock()) self->pipeline_ended(reservation);
      });
    } catch (const std::exception& e) {
      log::warn("db.pipeline_failed", {{"error", e.what()}});
      connection.reset();
    }
  }
  std::lock_guard lock(mutex_);
  auto found = find_reservation_locked(reservation);
  if (!pipeline) {
    if (found != pipelines_.end()) pipelines_.erase(found);
    if (opened) release_room_locked();
    co_return nullptr;
  }
  if (found == pipelines_.end()) co_return nullptr;  // it ended already
  found->pipeline = pipeline;
  if (closing_) pipeline->shut();
  co_return pipeline;
}

void Pool::Impl::pipeline_ended(std::uint64_t reservation) {
  std::lock_guard lock(mutex_);
  auto found = find_reservation_locked(reservation);
  if (found != pipelines_.end()) pipelines_.erase(found);
  release_room_locked();
}

}  // namespace payrollx::db
