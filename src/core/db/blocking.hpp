#pragma once
// A blocking libpq connection for the command-line tools (migrate, backup, restore, the legacy
// import), which run before or beside a server, never on its io_context.
#include <stdexcept>
#include <string>
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

 private:
  std::string message() const;
  pg_conn* conn_;
};

std::string quote_identifier(const std::string& name);

}  // namespace payrollx::db
