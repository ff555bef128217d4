#pragma once
// The command line: `payrollx <command> [options]`. Each command declares the options it
// accepts; anything else is a usage error (exit 2).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace payrollx::cli {

// Exit statuses of the binary.
constexpr int k_exit_ok = 0;
constexpr int k_exit_failure = 1;  // the command ran and failed (bind, migrate, database)
constexpr int k_exit_usage = 2;    // bad command line or configuration

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Invocation;
using CommandFn = int (*)(const Invocation&);

struct Invocation {
  std::string command;
  CommandFn run = nullptr;
  // "--config" -> "FILE"; a flag maps to "".
  std::map<std::string, std::string, std::less<>> options;

  bool has(std::string_view option) const { return options.contains(option); }
  std::optional<std::string> value(std::string_view option) const;
};

// Throws UsageError.
Invocation parse_arguments(int argc, const char* const* argv);
std::string_view usage();

}  // namespace payrollx::cli
