#include "core/db/pipeline.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/db/connection.hpp"
#include "core/db/result_data.hpp"
#include "core/db/sleeper.hpp"
#include "core/db/sqlstate.hpp"

namespace payrollx::db {

namespace asio = boost::asio;

// One statement in flight: its results (a Prepare's first when it prepares), up to its Sync. Its
// coroutine sleeps until the reader wakes it with the answer.
struct Pipeline::Slot : Sleeper {
  std::string_view name;
  Clock::time_point started;
  std::string_view prepares;  // the statement name this slot prepares, or empty
  bool prepare_failed = false;
  int results = 0;
  std::shared_ptr<ResultData> last;
  std::shared_ptr<ResultData> failure;
  std::exception_ptr error;
};

Pipeline::Pipeline(std::unique_ptr<Connection> connection, OnEnd on_end)
    : connection_(std::move(connection)), on_end_(std::move(on_end)) {}

Pipeline::~Pipeline() = default;

std::shared_ptr<Pipeline> Pipeline::start(std::unique_ptr<Connection> connection, OnEnd on_end) {
  if (PQenterPipelineMode(connection->conn_) == 0)
    throw ConnectionError("the database connection cannot enter pipeline mode");
  std::shared_ptr<Pipeline> pipeline(new Pipeline(std::move(connection), std::move(on_end)));
  asio::co_spawn(pipeline->connection_->watch_.executor(), read(pipeline), asio::detached);
  return pipeline;
}

asio::awaitable<Result> Pipeline::execute(const Query& query, const std::vector<Param>& params) {
  auto slot = std::make_shared<Slot>();
  slot->name = query.name;
  slot->started = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (ending_ || connection_->broken_)
      throw PipelineLost(fmt::format("{}: the shared database connection is closed", query.name));
    send_locked(query, params, *slot);
    if (slots_.empty())
      connection_->watch_.set_deadline(slot->started + connection_->settings_->query_timeout());
    slots_.push_back(slot);
    flush_locked();
  }
  co_await Sleeper::sleep(slot, mutex_, connection_->watch_.executor());
  connection_->observe(query.name, slot->started);
  if (slot->error) std::rethrow_exception(slot->error);
  co_return Result(std::move(slot->last));
}

void Pipeline::send_locked(const Query& query, const std::vector<Param>& params, Slot& slot) {
  const int count = static_cast<int>(params.size());
  PGconn* conn = connection_->conn_;
  const char* name = connection_->prepared_name(query);
  bool sent = true;
  if (!name) {
    std::string statement(query.name);
    std::string sql(query.sql);
    sent = PQsendPrepare(conn, statement.c_str(), sql.c_str(), count, nullptr) != 0;
    name = connection_->remember_prepared(query);
    slot.prepares = query.name;
  }
  sent = sent && connection_->send(name, query, params) && PQpipelineSync(conn) != 0;
  if (sent) return;
  // libpq's queue may now hold part of the statement: the connection cannot be trusted.
  if (!slot.prepares.empty()) connection_->forget_prepared(slot.prepares);
  end_locked();
  throw PipelineLost(
      fmt::format("{}: database connection lost ({})", query.name, PQerrorMessage(conn)));
}

void Pipeline::flush_locked() {
  int pending = PQflush(connection_->conn_);
  // libpq reads what the server sent while it could not write (so that neither side blocks), and
  // so may hold answers that will not make the socket readable again.
  take_results_locked();
  if (pending < 0) return end_locked();
  if (pending == 0 || flushing_ || ending_) return;
  flushing_ = true;
  // Posted: co_spawn would start the flusher inline, on this thread, under this lock.
  asio::post(connection_->watch_.executor(), [self = shared_from_this()] {
    asio::co_spawn(self->connection_->watch_.executor(), flush(self), asio::detached);
  });
}

// Only the reader waits for the socket to be readable; this waits for it to be writable on a
// descriptor of its own (one Asio object is never used by two threads at once).
asio::awaitable<void> Pipeline::flush(std::shared_ptr<Pipeline> self) {
  int fd = -1;
  {
    std::lock_guard lock(self->mutex_);
    int own = PQsocket(self->connection_->conn_);
    if (!self->ending_ && own >= 0) fd = ::fcntl(own, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      self->flushing_ = false;
      self->end_locked();
      co_return;
    }
  }
  asio::posix::stream_descriptor out(self->connection_->watch_.executor(), fd);
  for (;;) {
    auto [ec] = co_await out.async_wait(asio::posix::descriptor_base::wait_write,
                                        asio::as_tuple(asio::use_awaitable));
    std::lock_guard lock(self->mutex_);
    int pending = ec || self->ending_ ? -1 : PQflush(self->connection_->conn_);
    self->take_results_locked();
    if (pending == 1) continue;
    // Under the same lock as the last flush: a statement sent from now on starts another.
    self->flushing_ = false;
    if (pending < 0) self->end_locked();
    co_return;
  }
}

asio::awaitable<void> Pipeline::read(std::shared_ptr<Pipeline> self) {
  bool timed_out = false;
  try {
    for (;;) {
      bool ready = co_await self->connection_->watch_.wait(SocketWatch::Direction::read);
      std::lock_guard lock(self->mutex_);
      if (self->ending_) break;
      timed_out = !ready;
      if (timed_out) break;
      // An idle pipeline reads too: a FATAL notice (terminated backend) or EOF ends it at once.
      bool read = PQconsumeInput(self->connection_->conn_) != 0;
      self->take_results_locked();
      if (!read || self->ending_ || self->connection_->broken_ ||
          PQstatus(self->connection_->conn_) != CONNECTION_OK)
        break;
    }
  } catch (const std::exception&) {
    // A socket error: the same as a lost connection.
  }
  self->finish(timed_out);
}

void Pipeline::take_results_locked() {
  PGconn* conn = connection_->conn_;
  // A NULL ends one command's results; two in a row would mean libpq has nothing more to give.
  int nulls = 0;
  while (!slots_.empty() && !PQisBusy(conn) && nulls < 2) {
    PGresult* raw = PQgetResult(conn);
    if (!raw) {
      ++nulls;
      continue;
    }
    nulls = 0;
    Slot& slot = *slots_.front();
    auto status = PQresultStatus(raw);
    bool first = slot.results++ == 0;
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(raw);
      answer_first_locked();
    } else if (status == PGRES_FATAL_ERROR) {
      if (first && !slot.prepares.empty()) slot.prepare_failed = true;
      if (slot.failure) {
        PQclear(raw);
      } else {
        slot.failure = std::make_shared<ResultData>(raw);
      }
    } else if (status == PGRES_PIPELINE_ABORTED) {
      PQclear(raw);
    } else {
      slot.last = std::make_shared<ResultData>(raw);
    }
  }
  // A FATAL notice, an answer saying that the session is gone, or libpq giving the connection up
  // (it may have closed its socket, leaving the reactor's duplicate open and quiet).
  if (connection_->broken_ || PQstatus(conn) != CONNECTION_OK) end_locked();
}

void Pipeline::answer_first_locked() {
  auto slot = std::move(slots_.front());
  slots_.pop_front();
  if (slot->failure) {
    if (slot->prepare_failed) connection_->forget_prepared(slot->prepares);
    slot->error = connection_->error_of(slot->failure->get(), slot->name);
    const char* sqlstate = PQresultErrorField(slot->failure->get(), PG_DIAG_SQLSTATE);
    bool not_prepared =
        sqlstate && std::string_view(sqlstate) == sqlstate::k_invalid_sql_statement_name;
    if (not_prepared) forget_unless_preparing_locked(slot->name);
    // 26000: sent behind a Prepare of the same statement that failed (or the statement was
    // deallocated): a pooled connection prepares it afresh.
    if (connection_->broken_ || not_prepared) {
      slot->error = std::make_exception_ptr(
          PipelineLost(fmt::format("{}: not answered on the shared connection", slot->name)));
    }
  } else if (!slot->last) {
    slot->last =
        std::make_shared<ResultData>(PQmakeEmptyPGresult(connection_->conn_, PGRES_COMMAND_OK));
  }
  slot->wake_locked();
  // The deadline is always the oldest statement's, counted from when it became the oldest: the
  // server had not started it before.
  if (connection_->watch_.clear_deadline()) return end_locked();
  if (!slots_.empty())
    connection_->watch_.set_deadline(Clock::now() + connection_->settings_->query_timeout());
}

void Pipeline::forget_unless_preparing_locked(std::string_view name) {
  bool preparing = std::any_of(slots_.begin(), slots_.end(),
                               [name](const auto& slot) { return slot->prepares == name; });
  if (!preparing) connection_->forget_prepared(name);
}

void Pipeline::end_locked() {
  if (ending_) return;
  ending_ = true;
  connection_->broken_ = true;
  // Wakes the reader, on its own thread, which then fails whatever is in flight.
  connection_->watch_.shutdown();
}

void Pipeline::shut() {
  std::lock_guard lock(mutex_);
  end_locked();
}

void Pipeline::finish(bool timed_out) {
  {
    std::lock_guard lock(mutex_);
    ending_ = true;
    connection_->broken_ = true;
    connection_->watch_.clear_deadline();
    bool first = true;
    for (auto& slot : slots_) {
      if (timed_out && first) {
        slot->error = std::make_exception_ptr(Error(
            std::string(sqlstate::k_query_canceled),
            fmt::format("{}: no answer from the database before the client deadline", slot->name)));
      } else {
        slot->error = std::make_exception_ptr(
            PipelineLost(fmt::format("{}: database connection lost", slot->name)));
      }
      first = false;
      slot->wake_locked();
    }
    slots_.clear();
  }
  if (on_end_) on_end_();
}

}  // namespace payrollx::db
