#include "server_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace payrollx::test {
namespace {

using namespace std::chrono_literals;
using Env = std::vector<std::pair<std::string, std::string>>;

// 40 bytes: the server refuses secrets shorter than 32 outside --dev.
constexpr auto k_test_jwt_secret = "e2e-test-secret-0123456789abcdefghijklmn";
constexpr auto k_listen_timeout = 30s;
constexpr auto k_stop_timeout = 60s;
constexpr auto k_destructor_grace = 10s;
constexpr auto k_poll_interval = 20ms;
constexpr std::size_t k_output_tail = 8192;

std::string binary_path() {
  const char* path = std::getenv("PAYROLLX_BINARY");
  return path && *path ? path : PAYROLLX_BINARY_PATH;
}

// The child writes into a file rather than a pipe, so nobody has to drain it while it runs.
std::string make_output_file() {
  std::string path = "/tmp/payrollx-e2e-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp");
  ::close(fd);
  return path;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The inherited environment without PAYROLLX_* variables (a developer's shell may set some) and
// without systemd's notification variables (a test runner started by systemd has them), then `env`
// (a later entry for the same name wins).
std::vector<std::string> child_environment(const Env& env) {
  std::vector<std::string> result;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view variable(*entry);
    if (variable.starts_with("PAYROLLX_") || variable.starts_with("NOTIFY_SOCKET=") ||
        variable.starts_with("WATCHDOG_"))
      continue;
    result.emplace_back(variable);
  }
  std::map<std::string, std::string> chosen;
  for (const auto& [name, value] : env) chosen[name] = value;
  for (const auto& [name, value] : chosen) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

pid_t spawn(const std::vector<std::string>& args, const Env& env, const std::string& output_path) {
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> argv_strings{binary_path()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = child_environment(env);
  auto argv = c_strings(argv_strings);
  auto envp = c_strings(env_strings);
  int fd = ::open(output_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + output_path);

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // A crashed or killed test run must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(fd);
  if (pid < 0) throw std::system_error(fork_errno, std::generic_category(), "fork");
  return pid;
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The exit code once the child ended within `timeout`; nullopt while it still runs.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t result = ::waitpid(pid, &status, WNOHANG);
    if (result == pid) return exit_code_of(status);
    if (result < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "waitpid");
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(k_poll_interval);
  }
}

// Sends `signal`, waits up to `grace`, then kills; returns the exit code.
int terminate(pid_t pid, int signal, std::chrono::milliseconds grace) {
  ::kill(pid, signal);
  if (auto code = wait_for_exit(pid, grace)) return *code;
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code_of(status);
}

// The port of the server's {"event":"server.listening",...,"port":N} line, once it is complete.
std::optional<std::uint16_t> listening_port(const std::string& output) {
  std::istringstream lines(output.substr(0, output.rfind('\n') + 1));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("server.listening") == std::string::npos) continue;
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    const auto* port = value.as_object().if_contains("port");
    if (port && port->is_number()) return port->to_number<std::uint16_t>();
  }
  return std::nullopt;
}

}  // namespace

ServerProcess::ServerProcess(ServerSettings settings) : output_path_(make_output_file()) {
  Env env{{"PAYROLLX_DATABASE_URL", settings.database_url},
          {"PAYROLLX_LISTEN", "127.0.0.1:0"},
          {"PAYROLLX_JWT_SECRET", k_test_jwt_secret},
          {"PAYROLLX_THREADS", "2"},
          {"PAYROLLX_DB_POOL_SIZE", "8"},
          {"PAYROLLX_LOG_LEVEL", "info"}};
  env.insert(env.end(), settings.env.begin(), settings.env.end());
  std::vector<std::string> args{"serve"};
  args.insert(args.end(), settings.args.begin(), settings.args.end());

  try {
    pid_ = spawn(args, env, output_path_);
    auto deadline = std::chrono::steady_clock::now() + k_listen_timeout;
    for (;;) {
      if (auto port = listening_port(output())) {
        port_ = *port;
        return;
      }
      if (auto code = wait_for_exit(pid_, k_poll_interval)) {
        pid_ = -1;
        throw std::runtime_error(
            fmt::format("payrollx serve exited with {} before listening:\n{}", *code, output()));
      }
      if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error(
            fmt::format("payrollx serve did not listen within 30 s:\n{}", output()));
    }
  } catch (...) {
    if (pid_ > 0) terminate(pid_, SIGKILL, 0ms);
    ::unlink(output_path_.c_str());
    throw;
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate(pid_, SIGTERM, k_destructor_grace);
  // A failed REQUIRE unwinds through here: the server's last words explain most failures.
  if (std::uncaught_exceptions() > 0) {
    auto text = output();
    if (text.size() > k_output_tail) text = text.substr(text.size() - k_output_tail);
    std::cerr << "--- payrollx server output (tail) ---\n" << text << "---\n";
  }
  ::unlink(output_path_.c_str());
}

int ServerProcess::stop(int signal) {
  if (pid_ <= 0) throw std::logic_error("ServerProcess::stop: the server is not running");
  int code = terminate(pid_, signal, k_stop_timeout);
  pid_ = -1;
  return code;
}

bool ServerProcess::running() {
  if (pid_ <= 0) return false;
  // WNOWAIT: look without reaping, so stop() still gets the exit status.
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return false;
  return info.si_pid == 0;
}

std::string ServerProcess::output() const {
  return read_file(output_path_);
}

CommandResult run_payrollx(const std::vector<std::string>& args, const Env& env,
                           std::chrono::seconds timeout) {
  auto output_path = make_output_file();
  CommandResult result;
  try {
    pid_t pid = spawn(args, env, output_path);
    auto code = wait_for_exit(pid, timeout);
    result.exit_code = code ? *code : terminate(pid, SIGKILL, 0ms);
    result.output = read_file(output_path);
  } catch (...) {
    ::unlink(output_path.c_str());
    throw;
  }
  ::unlink(output_path.c_str());
  return result;
}

}  // namespace payrollx::test
