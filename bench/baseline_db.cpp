// The database ceiling: the baseline HTTP server doing one prepared single-row libpq query per
// request on non-blocking connections watched by Asio, to compare with PayrollX's
// /api/v1/auth/me (bench/run). Each io thread owns its share of the connections.
// Usage: baseline_db PORT CONNINFO USER_ID POOL_SIZE
#include <libpq-fe.h>

#include <algorithm>
#include <boost/asio/experimental/channel.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "baseline_server.hpp"

namespace {

using namespace payrollx::bench;

constexpr const char* k_statement = "user_by_id";
constexpr const char* k_sql = "SELECT id, email FROM auth.users WHERE id = $1";

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// One libpq connection, connected and prepared (blocking, at start-up, outside what is
// measured), then used in non-blocking mode with its socket watched by the thread's io_context.
class Connection {
 public:
  Connection(asio::io_context& io, const std::string& conninfo)
      : connection_(PQconnectdb(conninfo.c_str()), &PQfinish), socket_(io) {
    if (PQstatus(connection_.get()) != CONNECTION_OK) fail("connect");
    PgResult prepared(PQprepare(connection_.get(), k_statement, k_sql, 1, nullptr), &PQclear);
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) fail("prepare");
    if (PQsetnonblocking(connection_.get(), 1) != 0) fail("set non-blocking");
    socket_.assign(PQsocket(connection_.get()));
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  // The descriptor belongs to libpq, which closes it in PQfinish.
  ~Connection() { socket_.release(); }

  asio::awaitable<PgResult> query(const std::string& parameter) {
    const char* value = parameter.c_str();
    if (!PQsendQueryPrepared(connection_.get(), k_statement, 1, &value, nullptr, nullptr, 0))
      fail("send");
    while (int pending = PQflush(connection_.get())) {
      if (pending < 0) fail("flush");
      co_await socket_.async_wait(asio::posix::stream_descriptor::wait_write, asio::use_awaitable);
    }
    PgResult result(nullptr, &PQclear);
    for (;;) {
      if (!PQconsumeInput(connection_.get())) fail("read");
      while (!PQisBusy(connection_.get())) {
        PGresult* next = PQgetResult(connection_.get());
        if (!next) co_return result;
        result.reset(next);
      }
      co_await socket_.async_wait(asio::posix::stream_descriptor::wait_read, asio::use_awaitable);
    }
  }

 private:
  [[noreturn]] void fail(const char* step) const {
    throw std::runtime_error(std::string("libpq ") + step + ": " +
                             PQerrorMessage(connection_.get()));
  }

  std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
  asio::posix::stream_descriptor socket_;
};

// One io thread's connections; a request waits for an idle one. Only this thread touches it.
class UserLookup {
 public:
  UserLookup(asio::io_context& io, const std::string& conninfo, std::string user_id, int size)
      : user_id_(std::move(user_id)), idle_(io, static_cast<std::size_t>(size)) {
    for (int i = 0; i < size; ++i) {
      connections_.push_back(std::make_unique<Connection>(io, conninfo));
      idle_.try_send(boost::system::error_code(), connections_.back().get());
    }
  }

  asio::awaitable<std::string> operator()() {
    Connection* connection = co_await idle_.async_receive(asio::use_awaitable);
    // A failed query ends the process (see rethrow), so the connection is only returned on
    // success.
    PgResult result = co_await connection->query(user_id_);
    idle_.try_send(boost::system::error_code(), connection);
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) != 1)
      throw std::runtime_error("the user query did not return one row");
    boost::json::object body;
    body["id"] = PQgetvalue(result.get(), 0, 0);
    body["email"] = PQgetvalue(result.get(), 0, 1);
    co_return boost::json::serialize(body);
  }

 private:
  std::string user_id_;
  std::vector<std::unique_ptr<Connection>> connections_;
  asio::experimental::channel<void(boost::system::error_code, Connection*)> idle_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: baseline_db PORT CONNINFO USER_ID POOL_SIZE\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  const std::string conninfo = argv[2];
  const std::string user_id = argv[3];
  // The pool is split evenly between the io threads, like PAYROLLX_DB_POOL_SIZE in total.
  const int per_thread = std::max(1, std::stoi(argv[4]) / k_threads);
  serve(port, [&](asio::io_context& io) -> Handler {
    return [lookup = std::make_shared<UserLookup>(io, conninfo, user_id, per_thread)] {
      return (*lookup)();
    };
  });
}
