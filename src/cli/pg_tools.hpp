#pragma once
// PostgreSQL's client programs (pg_dump, pg_restore) run on the database of a libpq URL.
#include <string>
#include <utility>
#include <vector>

#include "cli/subprocess.hpp"

namespace payrollx::cli {

// A connection string split for a client program: all but the password for its command line
// (which other users of the machine can read in /proc), the password for its environment
// (PGPASSWORD). Throws std::invalid_argument for a string libpq cannot parse.
struct ClientTarget {
  std::string conninfo;
  std::vector<std::pair<std::string, std::string>> env;
};
ClientTarget client_target(const std::string& url);

// `program` (pg_dump, pg_restore, ...) with `args`, then --dbname for `target` when it has one.
Finished run_pg_tool(const std::string& program, std::vector<std::string> args,
                     const ClientTarget* target = nullptr);

}  // namespace payrollx::cli
