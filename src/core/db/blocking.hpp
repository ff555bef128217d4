#pragma once
// A blocking libpq connection for the command-line tools (migrate, backup, restore, the legacy
// import), which run before or beside a server, never on its io_context.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;

namespace payrollx::db {

// A connection that failed, or a statement the server refused (its primary message).
class BlockingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlockingConnection {
 public:
  explicit BlockingConnection(const std::string& conninfo);  // throws BlockingError
  ~BlockingConnection();
  BlockingConnection(const BlockingConnection&) = delete;
  BlockingConnection& operator=(const BlockingConnection&) = delete;

  using Rows = std::vector<std::vector<std::string>>;  // NULL reads as ""
  // One statement (or several without parameters), parameters bound as text.
  Rows run(const std::string& sql, const std::vector<std::string>& params = {});

  // Streams the rows `out_sql` ("COPY (SELECT ...) TO STDOUT") of `from` produces into `in_sql`
  // ("COPY t FROM STDIN") on `to`, a row at a time, never all in memory; answers the rows.
  // Text format both ends, so every value arrives as the text PostgreSQL wrote.
  static std::int64_t copy(BlockingConnection& from, const std::string& out_sql,
                           BlockingConnection& to, const std::string& in_sql);

  // Sends `data`, rows in COPY's text format (tab-separated, newline-ended, backslash escapes),
  // to `in_sql` ("COPY t FROM STDIN").
  void copy_in(const std::string& in_sql, std::string_view data);

 private:
  // Starts a COPY, out (TO STDOUT) or in (FROM STDIN); throws BlockingError when refused.
  void start_copy(const std::string& sql, bool out);
  std::string message() const;
  // The statement's final result, checked (throws BlockingError); then none is left pending.
  void finish_statement();
  pg_conn* conn_;
};

std::string quote_identifier(const std::string& name);

}  // namespace payrollx::db
