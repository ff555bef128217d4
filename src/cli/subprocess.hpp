#pragma once
// Running another program (pg_dump, pg_restore) to its end: argv as given (no shell), its
// stdout and stderr captured together.
#include <string>
#include <utility>
#include <vector>

namespace payrollx::cli {

struct Finished {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // stdout and stderr interleaved
};

// `program` is looked up in PATH; `env` adds to (or replaces in) this process's environment.
// Throws std::system_error when the program cannot be started.
Finished run_program(const std::string& program, const std::vector<std::string>& args,
                     const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace payrollx::cli
