#pragma once
// The real `payrollx serve` binary on a free port, for end-to-end tests.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace payrollx::test {

struct ServerSettings {
  std::string database_url;
  // Extra variables (e.g. {"PAYROLLX_AUTH_RATE_LIMIT","5"}, or systemd's NOTIFY_SOCKET).
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> args;  // appended after `serve`
};

class ServerProcess {
 public:
  // Starts the binary (path from PAYROLLX_BINARY, else the build's payrollx) and waits until
  // it listens (it logs its port) or fails (throws with its output).
  explicit ServerProcess(ServerSettings settings);
  ~ServerProcess();  // SIGTERM and wait, if still running
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the exit status (128 + signal if killed).
  int stop(int signal = 15);
  bool running();
  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string output_path_;
};

// One run of the binary to its end (migrate, --help, a start that must fail).
struct CommandResult {
  int exit_code = -1;  // 128 + signal if killed
  std::string output;  // stdout and stderr together
};

// Runs the binary with `args` and, of the PAYROLLX_* variables, only those in `env`; kills it
// after `timeout`.
CommandResult run_payrollx(const std::vector<std::string>& args,
                           const std::vector<std::pair<std::string, std::string>>& env,
                           std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace payrollx::test
