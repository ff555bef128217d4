#include "core/db/blocking.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

namespace payrollx::db {

BlockingConnection::BlockingConnection(const std::string& conninfo)
    : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    const auto reason = message();
    PQfinish(conn_);
    throw BlockingError(fmt::format("cannot connect to the database: {}", reason));
  }
  // Notices (NOTICE: ... does not exist, skipping) are for people at a psql prompt.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
}

BlockingConnection::~BlockingConnection() {
  PQfinish(conn_);
}

BlockingConnection::Rows BlockingConnection::run(const std::string& sql,
                                                 const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& param : params) values.push_back(param.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> result(
      params.empty() ? PQexec(conn_, sql.c_str())
                     : PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0),
      &PQclear);
  auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
    throw BlockingError(primary ? primary : message());
  }
  Rows rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    auto& row = rows.emplace_back();
    for (int c = 0; c < PQnfields(result.get()); ++c)
      row.emplace_back(PQgetvalue(result.get(), r, c));
  }
  return rows;
}

void BlockingConnection::finish_statement() {
  std::string failure;
  while (PGresult* raw = PQgetResult(conn_)) {
    std::unique_ptr<PGresult, decltype(&PQclear)> result(raw, &PQclear);
    const auto status = PQresultStatus(raw);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failure.empty()) {
      const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
      failure = primary ? primary : message();
    }
  }
  if (!failure.empty()) throw BlockingError(failure);
}

void BlockingConnection::start_copy(const std::string& sql, bool out) {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn_, sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) == (out ? PGRES_COPY_OUT : PGRES_COPY_IN)) return;
  const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
  throw BlockingError(primary ? primary : message());
}

std::int64_t BlockingConnection::copy(BlockingConnection& from, const std::string& out_sql,
                                      BlockingConnection& to, const std::string& in_sql) {
  from.start_copy(out_sql, true);
  try {
    to.start_copy(in_sql, false);
  } catch (...) {
    // Drain the source's COPY so its connection stays usable for the error's report.
    for (char* row = nullptr; PQgetCopyData(from.conn_, &row, 0) > 0; PQfreemem(row)) {
    }
    from.finish_statement();
    throw;
  }
  std::int64_t rows = 0;
  std::string failure;
  for (;;) {
    char* row = nullptr;
    const int length = PQgetCopyData(from.conn_, &row, 0);
    if (length == -1) break;  // the source's rows are all read
    if (length < 0) {
      failure = from.message();
      break;
    }
    const bool sent = failure.empty() && PQputCopyData(to.conn_, row, length) == 1;
    PQfreemem(row);
    if (!sent && failure.empty()) failure = to.message();
    ++rows;
  }
  PQputCopyEnd(to.conn_, failure.empty() ? nullptr : failure.c_str());
  from.finish_statement();
  to.finish_statement();
  if (!failure.empty()) throw BlockingError(failure);
  return rows;
}

void BlockingConnection::copy_in(const std::string& in_sql, std::string_view data) {
  start_copy(in_sql, false);
  // In pieces: PQputCopyData takes an int length.
  constexpr std::size_t k_piece = 1 << 20;
  std::string failure;
  for (std::size_t at = 0; at < data.size() && failure.empty(); at += k_piece) {
    const auto piece = data.substr(at, k_piece);
    if (PQputCopyData(conn_, piece.data(), static_cast<int>(piece.size())) != 1)
      failure = message();
  }
  PQputCopyEnd(conn_, failure.empty() ? nullptr : failure.c_str());
  finish_statement();
  if (!failure.empty()) throw BlockingError(failure);
}

std::string BlockingConnection::message() const {
  std::string text = conn_ ? PQerrorMessage(conn_) : "out of memory";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

std::string quote_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace payrollx::db
