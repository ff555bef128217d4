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
