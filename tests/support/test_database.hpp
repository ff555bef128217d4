#pragma once
// The disposable PostgreSQL of the test run. `ctest` starts one cluster (fixture
// `postgres`, scripts/test-postgres) and migrates a template database; every test file (or
// case) clones a fresh database from that template. PAYROLLX_TEST_DATABASE_URL points the
// tests at an existing server instead (a superuser URL).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace payrollx::test {

// Superuser connection string of the test cluster.
std::string admin_url();
// A new database cloned from the migrated template; returns its connection string.
std::string fresh_database(std::string_view label);
// A new database with no table at all (CREATE DATABASE without the template).
std::string empty_database(std::string_view label);
// The same server as `url`, another database name.
std::string with_database(std::string_view url, std::string_view database);
// `url` with the user (and password) replaced.
std::string with_user(const std::string& url, const std::string& user, const std::string& password);

// Blocking SQL for test set-up and inspection (as the owner), with bound text parameters.
class Sql {
 public:
  explicit Sql(const std::string& url);
  ~Sql();
  Sql(const Sql&) = delete;
  Sql& operator=(const Sql&) = delete;

  using Row = std::vector<std::optional<std::string>>;
  std::vector<Row> rows(const std::string& sql, const std::vector<std::string>& params = {});
  // The first column of the only row (throws when there is not exactly one row).
  std::optional<std::string> scalar(const std::string& sql,
                                    const std::vector<std::string>& params = {});
  long long count(const std::string& sql, const std::vector<std::string>& params = {});
  void exec(const std::string& sql, const std::vector<std::string>& params = {});

 private:
  void* connection_;  // PGconn*, kept out of the header
};

// What a statement that should fail said (its SQLSTATE is in the text), or "succeeded".
std::string failure_of(Sql& sql, const std::string& statement,
                       const std::vector<std::string>& params = {});

}  // namespace payrollx::test
