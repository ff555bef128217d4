#include "test_database.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

namespace payrollx::test {
namespace {

constexpr std::string_view k_template = "payrollx_template";
constexpr std::size_t k_max_identifier = 63;  // PostgreSQL's NAMEDATALEN - 1

PGconn* handle(void* connection) {
  return static_cast<PGconn*>(connection);
}

// "<label>_<pid>_<counter>": unique across the test processes running in parallel and within
// one; lower-case letters, digits and '_' only, at most 63 bytes.
std::string unique_database_name(std::string_view label) {
  static std::atomic<int> counter{0};
  auto suffix = fmt::format("_{}_{}", ::getpid(), counter.fetch_add(1));
  std::string name = "t_";
  for (unsigned char c : label) {
    if (name.size() + suffix.size() >= k_max_identifier) break;
    name += std::isalnum(c) ? char(std::tolower(c)) : '_';
  }
  return name + suffix;
}

bool is_uri(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

}  // namespace

std::string admin_url() {
  if (const char* url = std::getenv("PAYROLLX_TEST_DATABASE_URL"); url && *url) return url;
  const std::string path = PAYROLLX_TEST_STATE_DIR "/url";
  std::ifstream file(path);
  std::string url;
  if (!std::getline(file, url) || url.empty())
    throw std::runtime_error(
        fmt::format("no test database: {} is missing (run through ctest, or start one with "
                    "scripts/test-postgres start DIR and set PAYROLLX_TEST_DATABASE_URL)",
                    path));
  return url;
}

std::string with_database(std::string_view url, std::string_view database) {
  if (!is_uri(url)) return fmt::format("{} dbname={}", url, database);
  // postgresql://user@host:port/database?options: replace (or add) the path.
  auto authority = url.find('/', url.find("://") + 3);
  auto options = url.find('?');
  auto base = url.substr(0, std::min(authority, options));
  auto query = options == std::string_view::npos ? std::string_view{} : url.substr(options);
  return fmt::format("{}/{}{}", base, database, query);
}

std::string with_user(const std::string& url, const std::string& user,
                      const std::string& password) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return fmt::format("{} user={} password={}", url, user, password);
  auto host_start = scheme_end + 3;
  auto at = url.find('@', host_start);
  auto rest = at == std::string::npos || at > url.find('/', host_start) ? host_start : at + 1;
  return fmt::format("{}{}:{}@{}", url.substr(0, host_start), user, password, url.substr(rest));
}

std::string fresh_database(std::string_view label) {
  auto name = unique_database_name(label);
  Sql admin(admin_url());
  // Cloning fails while anyone else is connected to the template (e.g. a concurrent clone's
  // backend still exiting): retry for a while.
  for (int attempt = 1;; ++attempt) {
    try {
      admin.exec(fmt::format("CREATE DATABASE \"{}\" TEMPLATE {}", name, k_template));
      return with_database(admin_url(), name);
    } catch (const std::runtime_error& e) {
      if (attempt >= 50 || std::string_view(e.what()).find("being accessed by other users") ==
                               std::string_view::npos)
        throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

std::string empty_database(std::string_view label) {
  auto name = unique_database_name(label);
  Sql admin(admin_url());
  admin.exec(fmt::format("CREATE DATABASE \"{}\"", name));
  return with_database(admin_url(), name);
}

Sql::Sql(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
  if (PQstatus(handle(connection_)) != CONNECTION_OK) {
    std::string message = PQerrorMessage(handle(connection_));
    PQfinish(handle(connection_));
    throw std::runtime_error("test database connection failed: " + message);
  }
  // Server notices (e.g. "database does not exist, skipping") would only clutter test output.
  PQsetNoticeProcessor(
      handle(connection_), [](void*, const char*) {}, nullptr);
}

Sql::~Sql() {
  PQfinish(handle(connection_));
}

std::vector<Sql::Row> Sql::rows(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param.c_str());
  // Without parameters the simple protocol runs scripts of several statements too.
  ResultPtr result(params.empty() ? PQexec(handle(connection_), sql.c_str())
                                  : PQexecParams(handle(connection_), sql.c_str(),
                                                 static_cast<int>(values.size()), nullptr,
                                                 values.data(), nullptr, nullptr, 0),
                   &PQclear);
  auto status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    const char* sqlstate = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    const char* message =
        result ? PQresultErrorMessage(result.get()) : PQerrorMessage(handle(connection_));
    throw std::runtime_error(
        fmt::format("SQL failed ({}): {}", sqlstate ? sqlstate : "no sqlstate", message));
  }
  std::vector<Row> out;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    Row row;
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(PQgetvalue(result.get(), r, c));
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::optional<std::string> Sql::scalar(const std::string& sql,
                                       const std::vector<std::string>& params) {
  auto result = rows(sql, params);
  if (result.size() != 1 || result.front().empty())
    throw std::runtime_error(
        fmt::format("expected one row with a value, got {} rows from: {}", result.size(), sql));
  return result.front().front();
}

long long Sql::count(const std::string& sql, const std::vector<std::string>& params) {
  auto value = scalar(sql, params);
  if (!value) throw std::runtime_error("count is NULL: " + sql);
  return std::stoll(*value);
}

void Sql::exec(const std::string& sql, const std::vector<std::string>& params) {
  rows(sql, params);
}

std::string failure_of(Sql& sql, const std::string& statement,
                       const std::vector<std::string>& params) {
  try {
    sql.exec(statement, params);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "succeeded";
}

}  // namespace payrollx::test
