// The pool's public face: a statement, rerun when its connection died with nothing of it run,
// and a transaction, rerun on a conflict or on a connection lost before COMMIT.
#include "core/db/pool.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <cctype>
#include <exception>

#include "core/db/error.hpp"
#include "core/db/pool_impl.hpp"
#include "core/db/pool_rules.hpp"
#include "core/db/sqlstate.hpp"
#include "core/metrics.hpp"

namespace payrollx::db {

namespace {

// What Query::shared requires of a statement, since one that the pipeline lost is sent again: a
// read. Checked on the text, not with a read-only session, which would outlive the statement on a
// server connection that PgBouncer (transaction mode) gives to another client.
bool is_select(std::string_view sql) {
  auto start = sql.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || sql.size() - start < 6) return false;
  auto word = sql.substr(start, 6);
  return std::equal(word.begin(), word.end(), "SELECT", [](char a, char b) {
    return std::toupper(static_cast<unsigned char>(a)) == b;
  });
}

std::string begin_statement(const TxOptions& options) {
  std::string sql = "BEGIN ISOLATION LEVEL ";
  switch (options.isolation) {
    case Isolation::read_committed:
      sql += "READ COMMITTED";
      break;
    case Isolation::repeatable_read:
      sql += "REPEATABLE READ";
      break;
    case Isolation::serializable:
      sql += "SERIALIZABLE";
      break;
  }
  if (options.read_only) sql += " READ ONLY";
  return sql;
}

}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options, Metrics* metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), metrics)) {}

Pool::~Pool() = default;

asio::awaitable<Result> Pool::execute(const Query& query, std::vector<Param> params) {
  if (query.shared) {
    if (!is_select(query.sql))
      throw std::logic_error(fmt::format("{}: a shared statement must be a SELECT", query.name));
    const auto executor = co_await asio::this_coro::executor;
    std::uint64_t reservation = 0;
    auto pipeline =
        impl_->pipeline_for(asio::query(executor, asio::execution::context), reservation);
    if (reservation != 0) pipeline = co_await impl_->open_pipeline(executor, reservation);
    if (pipeline) {
      try {
        co_return co_await pipeline->execute(query, params);
      } catch (const PipelineLost&) {
        // A read: sent again below, on a pooled connection.
      }
    }
  }
  // Run again when the connection died with nothing of the statement run (it never went out, or
  // the server ended the session, rolling it back, before answering): pool_rules::rerun_statement.
  for (int attempt = 1;; ++attempt) {
    auto connection = co_await impl_->acquire();
    try {
      co_return co_await connection->execute(query, params);
    } catch (const ConnectionError&) {
      bool nothing_ran = !connection->query_sent() || connection->ended_by_server();
      if (!pool_rules::rerun_statement(attempt, nothing_ran, impl_->options().max_size)) throw;
    }
  }
}

asio::awaitable<void> Pool::ping() {
  co_await execute(k_ping, {});
}

PoolStats Pool::stats() const {
  return impl_->stats();
}

asio::awaitable<void> Pool::close(milliseconds deadline) {
  co_await impl_->close(deadline);
}

asio::awaitable<void> Pool::run_transaction(TxBody body, TxOptions options) {
  const std::string begin = begin_statement(options);
  // Conflicts (40001/40P01) rerun with backoff, a connection lost before COMMIT at once:
  // pool_rules::after_failed_run.
  pool_rules::TxReruns reruns;
  for (;;) {
    std::exception_ptr failure;
    auto kind = pool_rules::TxFailure::other;
    {
      auto connection = co_await impl_->acquire();
      bool commit_sent = false;
      try {
        Tx tx(*connection);
        // Sent with the body's first statement (Tx::defer); unnamed, its text depends on options.
        tx.defer(Query{"", begin});
        co_await body(tx);
        // A body that swallowed a failed statement would otherwise COMMIT into a silent ROLLBACK.
        if (connection->in_failed_transaction())
          throw Error(std::string(sqlstate::k_in_failed_sql_transaction),
                      "the transaction failed and cannot commit");
        commit_sent = true;
        co_await tx.commit();
        tx.run_after_commit_hooks();
        co_return;
      } catch (const Error& e) {
        failure = std::current_exception();
        if (e.is_retryable()) kind = pool_rules::TxFailure::conflict;
      } catch (const ConnectionError&) {
        failure = std::current_exception();
        // Lost during COMMIT: the outcome is unknown, so it never runs again.
        if (!commit_sent) kind = pool_rules::TxFailure::lost_before_commit;
      } catch (...) {
        failure = std::current_exception();
      }
      if (connection->usable() && !connection->reusable()) {
        try {
          co_await connection->run_script("ROLLBACK");
        } catch (const std::exception&) {
          // The connection is dropped by the lease; the server rolls back when it goes.
        }
      }
    }
    auto next =
        pool_rules::after_failed_run(kind, reruns, options.max_attempts, impl_->options().max_size);
    if (next == pool_rules::TxNext::give_up) std::rethrow_exception(failure);
    if (next == pool_rules::TxNext::rerun_now) continue;
    if (impl_->metrics()) impl_->metrics()->count_transaction_retry();
    co_await sleep_for(jittered(pool_rules::conflict_backoff(reruns.conflicts)));
  }
}

}  // namespace payrollx::db
