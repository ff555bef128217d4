#pragma once
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <vector>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/db/value.hpp"

namespace payrollx::db {

class Connection;

// Runs queries on one checked-out connection: inside a transaction (Tx) or autocommit.
// Parameters are variadic and always bound ($1, $2, ...), never formatted into the SQL.
class Session {
 public:
  explicit Session(Connection& connection) : connection_(connection) {}

  template <class... Args>
  boost::asio::awaitable<Result> query(const Query& query, const Args&... args) {
    return execute(query, params_of(args...));
  }

  boost::asio::awaitable<Result> execute(const Query& query, std::vector<Param> params);
  // Unnamed, unprepared, parameterless SQL (migrations, BEGIN/COMMIT).
  boost::asio::awaitable<void> run_script(std::string_view sql);

  Connection& connection() { return connection_; }

 private:
  Connection& connection_;
};

// A Session inside BEGIN ... COMMIT. Service functions that write take `db::Tx&` as their first
// argument; the caller owns the transaction.
class Tx : public Session {
 public:
  using Session::Session;
  using Hook = std::function<void()>;

  // Runs once COMMIT succeeded (never after a rollback, nor when the outcome is unknown), in
  // registration order: work that must start only when the change is visible to others, such as
  // waking the audit sealer. A hook must not throw and must not wait.
  void after_commit(Hook hook) { hooks_.push_back(std::move(hook)); }
  void run_after_commit_hooks() noexcept;
  // For a transaction whose statements take a whole payroll run at once (100,000 rows in one
  // array, sort, hash or trigger transition table): they work in memory instead of temporary
  // files, up to 64 MB per sort or tuplestore node and twice that per hash (PostgreSQL's
  // hash_mem_multiplier), in the database backend that runs them; and each statement is planned
  // for its arguments (undoing TxOptions::generic_plans). Until the end of the transaction only
  // (SET LOCAL: the connection goes back to the pool, or to PgBouncer, as it was).
  boost::asio::awaitable<void> use_bulk_memory();

 private:
  std::vector<Hook> hooks_;
};

}  // namespace payrollx::db
