#include "core/db/connection.hpp"

#include <fmt/format.h>

#include <array>

#include "core/db/error.hpp"
#include "core/db/param_values.hpp"
#include "core/db/result_data.hpp"
#include "core/db/sqlstate.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace payrollx::db {

namespace asio = boost::asio;
using Direction = SocketWatch::Direction;

namespace {

// Beyond the server's own statement_timeout, the client gives a query this much longer before it
// decides the server or the network stopped answering.
constexpr std::chrono::seconds k_client_grace{5};
constexpr std::chrono::minutes k_no_statement_timeout_deadline{10};

// SQLSTATE classes that mean the session is gone: admin shutdown/crash (57P0x) and connection
// exceptions (08xxx).
bool means_connection_lost(std::string_view sqlstate) {
  return sqlstate.starts_with(sqlstate::k_operator_intervention_shutdown) ||
         sqlstate.starts_with(sqlstate::k_connection_exception_class);
}

std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value ? value : "";
}

std::string connection_options(const ConnectionSettings& settings) {
  // Decoding relies on UTC ISO timestamps; statement_timeout bounds every statement server-side.
  return fmt::format(
      "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601"
      " -c statement_timeout={}",
      settings.statement_timeout.count());
}

// A command's deadline, from its start to its end however it ends: an idle connection has none.
// One that expired leaves the connection broken (its socket is shut down), even when the command
// itself finished just in time.
class DeadlineScope {
 public:
  DeadlineScope(SocketWatch& watch, bool& broken, Connection::Clock::time_point deadline)
      : watch_(watch), broken_(broken) {
    watch_.set_deadline(deadline);
  }
  ~DeadlineScope() {
    if (watch_.clear_deadline()) broken_ = true;
  }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  SocketWatch& watch_;
  bool& broken_;
};

}  // namespace

std::chrono::milliseconds ConnectionSettings::query_timeout() const {
  if (statement_timeout.count() <= 0) return k_no_statement_timeout_deadline;
  return statement_timeout + k_client_grace;
}

Connection::Connection(asio::any_io_executor executor,
                       std::shared_ptr<const ConnectionSettings> settings)
    : settings_(std::move(settings)), watch_(std::move(executor)) {}

Connection::~Connection() {
  watch_.release();  // the socket is libpq's: PQfinish closes it
  if (conn_) PQfinish(conn_);
}

asio::awaitable<std::unique_ptr<Connection>> Connection::open(
    asio::any_io_executor executor, std::shared_ptr<const ConnectionSettings> settings,
    Clock::time_point deadline) {
  std::unique_ptr<Connection> connection(new Connection(std::move(executor), std::move(settings)));
  co_await connection->connect(deadline);
  co_return connection;
}

asio::awaitable<void> Connection::connect(Clock::time_point deadline) {
  std::string options = connection_options(*settings_);
  // Keywords after "dbname" override what the URL says; expand_dbname=1 parses the URL. Behind a
  // transaction pooler, "options" is left out (the array ends at it).
  std::array<const char*, 5> keys{"dbname", "application_name", "client_encoding", "options",
                                  nullptr};
  std::array<const char*, 5> values{settings_->conninfo.c_str(),
                                    settings_->application_name.c_str(), "UTF8", options.c_str(),
                                    nullptr};
  if (settings_->transaction_pooling) keys[3] = values[3] = nullptr;
  conn_ = PQconnectStartParams(keys.data(), values.data(), 1);
  if (!conn_) throw ConnectionError("cannot allocate a database connection");
  if (PQstatus(conn_) == CONNECTION_BAD) lost("connect");
  PQsetNoticeReceiver(conn_, &Connection::receive_notice, this);

  DeadlineScope bounded(watch_, broken_, deadline);
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) lost("connect");
    // libpq may switch sockets between steps (another host, SSL fallback): watch the current one.
    watch_.watch(PQsocket(conn_));
    bool ready =
        co_await watch_.wait(state == PGRES_POLLING_READING ? Direction::read : Direction::write);
    if (!ready) {
      broken_ = true;
      throw ConnectionError("connecting to the database timed out");
    }
    state = PQconnectPoll(conn_);
  }
  watch_.watch(PQsocket(conn_));
  if (PQsetnonblocking(conn_, 1) != 0) lost("connect");
  mark_idle();
}

// Server notices (e.g. "schema already exists, skipping") are diagnostics, not output: they go to
// the debug log instead of libpq's default, stderr. A FATAL one arrives while the connection is
// idle when the server ends the session (pg_terminate_backend, shutdown), possibly before the
// socket's end is readable: it marks the connection dead at once.
void Connection::receive_notice(void* self, const PGresult* result) {
  std::string severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  if (severity == "FATAL" || severity == "PANIC") {
    auto* connection = static_cast<Connection*>(self);
    connection->broken_ = true;
    connection->ended_by_server_ = true;
  }
  log::debug("db.notice", {{"severity", severity},
                           {"sqlstate", sqlstate},
                           {"message", field(result, PG_DIAG_MESSAGE_PRIMARY)}});
}

bool Connection::reusable() const {
  return !broken_ && !busy_ && PQstatus(conn_) == CONNECTION_OK &&
         PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

bool Connection::in_failed_transaction() const {
  return PQtransactionStatus(conn_) == PQTRANS_INERROR;
}

asio::awaitable<std::vector<std::string>> Connection::notifications() {
  std::vector<std::string> channels;
  for (;;) {
    while (PGnotify* notify = PQnotifies(conn_)) {
      channels.emplace_back(notify->relname);
      PQfreemem(notify);
    }
    if (!channels.empty()) co_return channels;
    // (A separate statement: GCC 12 crashes a co_await that throws inside an if's condition.)
    const bool ready = co_await watch_.wait(SocketWatch::Direction::read);
    if (!ready) lost("LISTEN");
    if (!PQconsumeInput(conn_) || PQstatus(conn_) != CONNECTION_OK) lost("LISTEN");
  }
}

bool Connection::alive() {
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) return false;
  // A terminated backend leaves an error and EOF in the socket: reading them marks the
  // connection bad without sending anything.
  bool read = PQconsumeInput(conn_) != 0;
  // PQisBusy parses what was read: a FATAL notice reaches receive_notice, which sets broken_.
  if (read) PQisBusy(conn_);
  if (!read || broken_ || PQstatus(conn_) != CONNECTION_OK) {
    broken_ = true;
    return false;
  }
  return true;
}

void Connection::begin_command() {
  if (broken_ || busy_) throw ConnectionError("the database connection is not usable");
  busy_ = true;
  query_sent_ = false;
}

void Connection::move_to(asio::any_io_executor executor) {
  watch_.move_to(std::move(executor));
}

bool Connection::runs_on(const asio::execution_context& context) const {
  return watch_.runs_on(context);
}

asio::awaitable<Result> Connection::execute(const Query& query, const std::vector<Param>& params) {
  return execute(query, params, settings_->query_timeout());
}

asio::awaitable<Result> Connection::execute(const Query& query, const std::vector<Param>& params,
                                            Clock::duration timeout) {
  auto started = Clock::now();
  begin_command();
  DeadlineScope bounded(watch_, broken_, started + timeout);
  auto data = co_await run(query, params);
  observe(query.name, started);
  co_return Result(std::move(data));
}

asio::awaitable<void> Connection::run_script(std::string_view sql) {
  begin_command();
  DeadlineScope bounded(watch_, broken_, Clock::now() + settings_->query_timeout());
  std::string text(sql);
  if (PQsendQuery(conn_, text.c_str()) == 0) lost("send");
  query_sent_ = true;
  co_await flush("send");
  co_await collect("script");
  mark_idle();
}

asio::awaitable<std::shared_ptr<ResultData>> Connection::run(const Query& query,
                                                             const std::vector<Param>& params) {
  const char* name = co_await statement_name(query, static_cast<int>(params.size()));
  if (!send(name, query, params)) lost("send");
  query_sent_ = true;
  // A statement of a few hundred bytes leaves at once: the waiting loop only when it did not.
  int pending = PQflush(conn_);
  if (pending < 0) lost(query.name);
  if (pending > 0) co_await flush(query.name);
  auto data = co_await collect(query.name);
  mark_idle();
  co_return data;
}

asio::awaitable<const char*> Connection::statement_name(const Query& query, int param_count) {
  if (query.name.empty() || settings_->transaction_pooling) co_return nullptr;
  const char* name = prepared_name(query);
  if (!name) name = co_await prepare(query, param_count);
  co_return name;
}

bool Connection::send(const char* prepared_name, const Query& query,
                      const std::vector<Param>& params) {
  auto values = param_values(params);
  if (prepared_name)
    return PQsendQueryPrepared(conn_, prepared_name, values.count(), values.values.data(),
                               values.lengths.data(), values.formats.data(), 0) != 0;
  std::string sql(query.sql);
  return PQsendQueryParams(conn_, sql.c_str(), values.count(), nullptr, values.values.data(),
                           values.lengths.data(), values.formats.data(), 0) != 0;
}

asio::awaitable<std::vector<Result>> Connection::execute_batch(
    std::span<const Statement> statements) {
  if (statements.empty()) throw std::logic_error("an empty batch of statements");
  const auto& last_query = statements.back().query;
  std::vector<Result> results;
  if (statements.size() == 1) {
    auto result = co_await execute(last_query, statements.front().params);
    results.push_back(std::move(result));
    co_return results;
  }
  auto started = Clock::now();
  begin_command();
  DeadlineScope bounded(watch_, broken_, started + settings_->query_timeout());
  // Those this connection has not prepared yet are, first, one round trip each (once).
  std::vector<const char*> names;
  names.reserve(statements.size());
  for (const auto& statement : statements) {
    const char* name =
        co_await statement_name(statement.query, static_cast<int>(statement.params.size()));
    names.push_back(name);
  }
  if (PQenterPipelineMode(conn_) == 0) lost("pipeline");
  for (std::size_t i = 0; i < statements.size(); ++i)
    if (!send(names[i], statements[i].query, statements[i].params)) lost("send");
  if (PQpipelineSync(conn_) == 0) lost("send");
  query_sent_ = true;
  co_await flush(last_query.name);
  std::exception_ptr failure;
  results.reserve(statements.size());
  for (const auto& statement : statements) {
    auto answer = co_await next_answer(statement.query.name);
    if (answer.failure && !failure) failure = error_of(answer.failure->get(), statement.query.name);
    if (!answer.last)
      answer.last = std::make_shared<ResultData>(PQmakeEmptyPGresult(conn_, PGRES_COMMAND_OK));
    results.emplace_back(std::move(answer.last));
  }
  auto sync = co_await next_answer(last_query.name);
  if (!sync.synced || PQexitPipelineMode(conn_) == 0) {
    if (failure) std::rethrow_exception(failure);
    lost(last_query.name);
  }
  busy_ = false;
  // The round trip is the last statement's time; the others are counted, at no time of their own.
  for (const auto& statement : statements.first(statements.size() - 1))
    observe(statement.query.name, Clock::now());
  observe(last_query.name, started);
  if (failure) std::rethrow_exception(failure);
  mark_idle();
  co_return results;
}

const char* Connection::prepared_name(const Query& query) const {
  auto found = prepared_.find(query.name);
  if (found == prepared_.end()) return nullptr;
  if (found->second.source != query.sql.data() && found->second.sql != query.sql)
    throw std::logic_error(fmt::format("two queries are named '{}'", query.name));
  return found->first.c_str();
}

asio::awaitable<const char*> Connection::prepare(const Query& query, int param_count) {
  std::string name(query.name);
  std::string sql(query.sql);
  if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), param_count, nullptr) == 0) lost("prepare");
  co_await flush(query.name);
  co_await collect(query.name);  // throws on a bad statement; the connection stays usable
  busy_ = true;                  // collect ended the prepare; the execute follows at once
  co_return remember_prepared(query);
}

const char* Connection::remember_prepared(const Query& query) {
  auto [inserted, ok] = prepared_.emplace(std::string(query.name),
                                          Prepared{std::string(query.sql), query.sql.data()});
  return inserted->first.c_str();
}

void Connection::forget_prepared(std::string_view name) {
  auto found = prepared_.find(name);
  if (found != prepared_.end()) prepared_.erase(found);
}

asio::awaitable<void> Connection::flush(std::string_view what) {
  for (;;) {
    int pending = PQflush(conn_);
    if (pending == 0) co_return;
    if (pending < 0) lost(what);
    if (!co_await watch_.wait(Direction::write)) deadline_exceeded(what);
  }
}

asio::awaitable<std::shared_ptr<ResultData>> Connection::collect(std::string_view what) {
  auto answer = co_await next_answer(what);
  busy_ = false;
  if (answer.failure) std::rethrow_exception(error_of(answer.failure->get(), what));
  if (PQstatus(conn_) != CONNECTION_OK) lost(what);
  if (!answer.last)
    answer.last = std::make_shared<ResultData>(PQmakeEmptyPGresult(conn_, PGRES_COMMAND_OK));
  co_return answer.last;
}

asio::awaitable<Connection::Answer> Connection::next_answer(std::string_view what) {
  Answer answer;
  for (;;) {
    while (PQisBusy(conn_) && PQstatus(conn_) == CONNECTION_OK) {
      if (!co_await watch_.wait(Direction::read)) deadline_exceeded(what);
      // On failure libpq has dropped the socket; PQgetResult then returns at once with the
      // server's last error (e.g. 57P01 from pg_terminate_backend), which says nothing ran.
      if (PQconsumeInput(conn_) == 0) break;
    }
    PGresult* raw = PQgetResult(conn_);
    if (!raw) break;
    auto data = std::make_shared<ResultData>(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_FATAL_ERROR:
        if (!answer.failure) answer.failure = data;
        break;
      case PGRES_PIPELINE_ABORTED:  // behind a failure in the same batch: it did not run
        break;
      case PGRES_PIPELINE_SYNC:  // the batch's end, which no NULL follows
        answer.synced = true;
        co_return answer;
      default:
        answer.last = data;
    }
    if (PQstatus(conn_) != CONNECTION_OK) break;
  }
  co_return answer;
}

std::exception_ptr Connection::error_of(const PGresult* error, std::string_view what) {
  std::string sqlstate = field(error, PG_DIAG_SQLSTATE);
  std::string message = field(error, PG_DIAG_MESSAGE_PRIMARY);
  if (PQstatus(conn_) != CONNECTION_OK || sqlstate.empty() || means_connection_lost(sqlstate)) {
    broken_ = true;
    ended_by_server_ = sqlstate.starts_with("57P");
    return std::make_exception_ptr(
        ConnectionError(fmt::format("{}: database connection lost ({})", what, message)));
  }
  return std::make_exception_ptr(Error(std::move(sqlstate), fmt::format("{}: {}", what, message),
                                       field(error, PG_DIAG_CONSTRAINT_NAME)));
}

void Connection::observe(std::string_view name, Clock::time_point started) const {
  auto elapsed = Clock::now() - started;
  std::string_view label = name.empty() ? "unnamed" : name;
  if (settings_->metrics)
    settings_->metrics->observe_query(label, std::chrono::duration<double>(elapsed).count());
  if (settings_->slow_query.count() > 0 && elapsed > settings_->slow_query) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    log::warn("db.slow_query", {{"query", label}, {"durationMs", ms}});
  }
}

void Connection::lost(std::string_view what) {
  broken_ = true;
  busy_ = false;
  std::string message = conn_ ? PQerrorMessage(conn_) : "";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  throw ConnectionError(fmt::format("{}: database connection lost ({})", what, message));
}

void Connection::deadline_exceeded(std::string_view what) {
  // The server did not answer in time: the connection's state is unknown, so it is dropped.
  broken_ = true;
  busy_ = false;
  throw Error(std::string(sqlstate::k_query_canceled),
              fmt::format("{}: no answer from the database before the client deadline", what));
}

}  // namespace payrollx::db
