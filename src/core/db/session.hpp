#pragma once
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/db/statement.hpp"
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

  // Sends the deferred statements first, in the same round trip (Tx::defer).
  boost::asio::awaitable<Result> execute(const Query& query, std::vector<Param> params);
  // Unnamed, unprepared, parameterless SQL (migrations, COMMIT), after the deferred statements.
  boost::asio::awaitable<void> run_script(std::string_view sql);

  Connection& connection() { return connection_; }

 protected:
  // Sends what is deferred, in one round trip: the last one's answer.
  boost::asio::awaitable<Result> send_deferred();
  std::vector<Statement> deferred_;

 private:
  Connection& connection_;
};

// The answer to come of a statement sent later with others (Tx::send).
class Pending {
 private:
  friend class Tx;
  explicit Pending(std::shared_ptr<std::optional<Result>> answer) : answer_(std::move(answer)) {}
  std::shared_ptr<std::optional<Result>> answer_;
};

// A Session inside BEGIN ... COMMIT. Service functions that write take `db::Tx&` as their first
// argument; the caller owns the transaction.
class Tx : public Session {
 public:
  using Session::Session;
  using Hook = std::function<void()>;

  // A statement whose answer nobody reads, only whether it succeeded: it goes out with the
  // transaction's next statement, or with its COMMIT, in one round trip (so does the BEGIN).
  // Its failure is thrown there, as that statement's or the commit's, with its own name, and
  // fails the transaction; statements keep their order. A transfer's idempotent answer and audit
  // entry go with the COMMIT (docs/design.md).
  template <class... Args>
  void defer(const Query& query, const Args&... args) {
    deferred_.push_back({query, params_of(args...)});
  }
  // A statement whose answer is read later (answer()): it goes out like a deferred one, in the
  // same round trip as the statement after it. A transfer's row goes with its posting.
  template <class... Args>
  Pending send(const Query& query, const Args&... args) {
    auto answer = std::make_shared<std::optional<Result>>();
    deferred_.push_back({query, params_of(args...), answer});
    return Pending(std::move(answer));
  }
  // The sent statement's answer; sends it now if it has not gone out yet.
  boost::asio::awaitable<Result> answer(const Pending& pending);
  // COMMIT, with whatever is deferred.
  boost::asio::awaitable<void> commit();

  // Runs once COMMIT succeeded (never after a rollback, nor when the outcome is unknown), in
  // registration order: work that must start only when the change is visible to others, such as
  // waking the audit sealer. A hook must not throw and must not wait.
  void after_commit(Hook hook) { hooks_.push_back(std::move(hook)); }
  void run_after_commit_hooks() noexcept;
  // For a transaction whose statements take a whole payroll run at once (100,000 rows in one
  // array, sort, hash or trigger transition table): they work in memory instead of temporary
  // files, up to 64 MB per sort or tuplestore node and twice that per hash (PostgreSQL's
  // hash_mem_multiplier), in the database backend that runs them. Until the end of the
  // transaction only (SET LOCAL: the connection goes back to the pool, or to PgBouncer, as it
  // was); sent with the next statement.
  void use_bulk_memory();

 private:
  std::vector<Hook> hooks_;
};

}  // namespace payrollx::db
