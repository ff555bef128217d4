#pragma once
// Private to core/db: one non-blocking libpq connection whose socket is watched on the pool's
// io_context. A connection is used by one coroutine at a time (the pool's lease guarantees it).
#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "core/db/socket_watch.hpp"
#include "core/db/statement.hpp"
#include "core/db/value.hpp"

namespace payrollx {
class Metrics;
}

namespace payrollx::db {

struct ConnectionSettings {
  std::string conninfo;
  std::string application_name;
  std::chrono::milliseconds statement_timeout{0};  // 0: none
  std::chrono::milliseconds slow_query{0};
  Metrics* metrics = nullptr;
  // The conninfo names a pooler in transaction mode (PgBouncer): consecutive transactions may run
  // on different server connections. No startup `options` (the pooler refuses them: the session
  // settings come from the role's defaults, docs/deployment.md) and no named prepared statements
  // (each statement is parsed unnamed, in the same round trip as its execution).
  bool transaction_pooling = false;
  // Beyond the server's statement_timeout: covers a server or network that stopped answering.
  std::chrono::milliseconds query_timeout() const;
};

class Connection {
  friend class Pipeline;  // drives a connection in pipeline mode with the same parts

 public:
  using Clock = std::chrono::steady_clock;

  // Connects without blocking the io thread (host names are resolved by libpq, blocking: use
  // IP addresses or Unix sockets). Throws ConnectionError, also when `deadline` passes.
  static boost::asio::awaitable<std::unique_ptr<Connection>> open(
      boost::asio::any_io_executor executor, std::shared_ptr<const ConnectionSettings> settings,
      Clock::time_point deadline);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement with bound parameters; a named query runs as a prepared statement, prepared
  // on its first use on this connection. Throws db::Error (a client-side deadline is 57014 and
  // drops the connection) or ConnectionError.
  boost::asio::awaitable<Result> execute(const Query& query, const std::vector<Param>& params);
  boost::asio::awaitable<Result> execute(const Query& query, const std::vector<Param>& params,
                                         Clock::duration timeout);
  // Several statements in one round trip (libpq's pipeline mode, one Sync), each run as execute
  // runs it: a transaction's statements sent with its next one (Tx::defer, Tx::send). A Sync
  // ends no transaction block, so they all run in the caller's. The first failure is thrown (the
  // statements after it did not run); else every statement's answer, in order.
  boost::asio::awaitable<std::vector<Result>> execute_batch(std::span<const Statement> statements);
  // Simple query protocol: several statements, no parameters.
  boost::asio::awaitable<void> run_script(std::string_view sql);
  // After LISTEN: waits (without a deadline) until notifications arrive and answers their
  // channels. Throws ConnectionError when the connection is lost.
  boost::asio::awaitable<std::vector<std::string>> notifications();
  // Ends every wait on the socket at once (a LISTENing connection's, when its owner stops).
  void shutdown() { watch_.shutdown(); }

  // Fit to go back to the pool: not broken, no query left half-read, no transaction open.
  bool reusable() const;
  // Fit to send another command (e.g. ROLLBACK after a failure inside a transaction).
  bool usable() const { return !broken_ && !busy_; }
  bool in_failed_transaction() const;
  // Reads, without a round trip, whatever the server sent while the connection sat idle: a
  // terminated backend leaves an error notice and EOF behind.
  bool alive();
  // Whether the last execute's statement went out to the server (it may have run).
  bool query_sent() const { return query_sent_; }
  // The server ended the session with an error (57P01 terminated, 57P02/57P03 shutting down):
  // its open transaction, and any statement in flight, were rolled back.
  bool ended_by_server() const { return ended_by_server_; }
  Clock::time_point idle_since() const { return idle_since_; }
  // The connection's waits run on `executor`'s context from now on (between commands only).
  void move_to(boost::asio::any_io_executor executor);
  bool runs_on(const boost::asio::execution_context& context) const;
  void mark_idle() { idle_since_ = Clock::now(); }

 private:
  Connection(boost::asio::any_io_executor executor,
             std::shared_ptr<const ConnectionSettings> settings);

  static void receive_notice(void* self, const PGresult* result);
  void begin_command();
  boost::asio::awaitable<void> connect(Clock::time_point deadline);
  boost::asio::awaitable<std::shared_ptr<ResultData>> run(const Query& query,
                                                          const std::vector<Param>& params);
  // The statement's name when it is prepared on this connection, else nullptr.
  const char* prepared_name(const Query& query) const;
  // Records `query` as prepared under its name; the name's C string, owned by the connection.
  const char* remember_prepared(const Query& query);
  void forget_prepared(std::string_view name);
  // The exception a statement's error result stands for: ConnectionError (the connection then
  // broken) when it says the session is gone, db::Error otherwise.
  std::exception_ptr error_of(const PGresult* error, std::string_view what);
  boost::asio::awaitable<const char*> prepare(const Query& query, int param_count);
  boost::asio::awaitable<void> flush(std::string_view what);
  boost::asio::awaitable<std::shared_ptr<ResultData>> collect(std::string_view what);
  // One command's results, up to libpq's end of them (or, in pipeline mode, a Sync's): its last
  // result and its first failure, thrown by nobody yet.
  struct Answer {
    std::shared_ptr<ResultData> last;
    std::shared_ptr<ResultData> failure;
    bool synced = false;
  };
  boost::asio::awaitable<Answer> next_answer(std::string_view what);
  // The name `query` is prepared under on this connection, preparing it on its first use; null
  // for an unnamed statement or through a transaction pooler (each is parsed where it runs).
  boost::asio::awaitable<const char*> statement_name(const Query& query, int param_count);
  // Sends one statement: the prepared one when named, else parsed with its parameters.
  bool send(const char* prepared_name, const Query& query, const std::vector<Param>& params);
  void observe(std::string_view name, Clock::time_point started) const;
  [[noreturn]] void lost(std::string_view what);
  [[noreturn]] void deadline_exceeded(std::string_view what);

  std::shared_ptr<const ConnectionSettings> settings_;
  PGconn* conn_ = nullptr;
  SocketWatch watch_;
  struct Prepared {
    std::string sql;
    const char* source;  // the Query's own text: the same pointer needs no comparison
  };
  std::map<std::string, Prepared, std::less<>> prepared_;  // by statement name
  bool busy_ = false;
  bool broken_ = false;
  bool query_sent_ = false;
  bool ended_by_server_ = false;
  Clock::time_point idle_since_;
};

}  // namespace payrollx::db
