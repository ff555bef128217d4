#include "smtp_sink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace payrollx::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Debian's interpreter, the one python3-aiosmtpd is installed for: a pyenv or virtualenv python3
// earlier on PATH does not have it.
constexpr auto k_python = "/usr/bin/python3";
constexpr auto k_start_timeout = 15s;
constexpr auto k_stop_grace = 5s;
constexpr auto k_poll_interval = 20ms;
// Another process may take the chosen port before the server binds it: then try another.
constexpr int k_start_attempts = 5;

class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port from the kernel's ephemeral range that nobody listens on at this moment.
std::uint16_t free_port() {
  Socket socket;
  auto address = loopback(0);
  socklen_t length = sizeof address;
  if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
  return ntohs(address.sin_port);
}

bool accepts(std::uint16_t port) {
  Socket socket;
  const auto address = loopback(port);
  return ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

pid_t spawn_server(std::uint16_t port, const fs::path& directory) {
  // Everything the child needs is built before fork: only async-signal-safe calls after it.
  std::vector<std::string> args{k_python,
                                "-m",
                                "aiosmtpd",
                                "-n",  // no setuid to nobody (which needs root)
                                "-l",
                                fmt::format("127.0.0.1:{}", port),
                                "-c",
                                "aiosmtpd.handlers.Mailbox",
                                (directory / "maildir").string()};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log = (directory / "server.log").string();
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + log);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // A crashed or killed test run must not leave servers behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(fd);
  if (pid < 0) throw std::system_error(fork_errno, std::generic_category(), "fork");
  return pid;
}

bool has_exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

void stop(pid_t pid) {
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + k_stop_grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (has_exited(pid)) return;
    std::this_thread::sleep_for(k_poll_interval);
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

// True once the server accepts connections on `port`, false when it exited first (the port was
// taken); throws when it does neither in time.
bool wait_until_listening(pid_t pid, std::uint16_t port, const fs::path& directory) {
  const auto deadline = std::chrono::steady_clock::now() + k_start_timeout;
  for (;;) {
    if (has_exited(pid)) return false;
    if (accepts(port)) return true;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(
          fmt::format("aiosmtpd did not listen on 127.0.0.1:{} within 15 s:\n{}", port,
                      read_file(directory / "server.log")));
    std::this_thread::sleep_for(k_poll_interval);
  }
}

}  // namespace

SmtpSink::SmtpSink() {
  std::string directory = (fs::temp_directory_path() / "payrollx-smtp-XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr)
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + directory);
  directory_ = directory;
  try {
    for (int attempt = 1;; ++attempt) {
      port_ = free_port();
      pid_ = spawn_server(port_, directory_);
      if (wait_until_listening(pid_, port_, directory_)) return;
      pid_ = -1;  // reaped by has_exited
      if (attempt == k_start_attempts)
        throw std::runtime_error("aiosmtpd exited before listening:\n" +
                                 read_file(fs::path(directory_) / "server.log"));
    }
  } catch (...) {
    if (pid_ > 0) stop(pid_);
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
    throw;
  }
}

SmtpSink::~SmtpSink() {
  if (pid_ > 0) stop(pid_);
  std::error_code ignored;
  fs::remove_all(directory_, ignored);
}

std::string SmtpSink::url() const {
  return fmt::format("smtp://127.0.0.1:{}", port_);
}

std::vector<std::string> SmtpSink::messages() const {
  // The Maildir writes each message into tmp/ and renames it into new/ when complete; a reader
  // moves it to cur/.
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const char* folder : {"new", "cur"}) {
    std::error_code missing;  // before the first message
    for (const auto& entry :
         fs::directory_iterator(fs::path(directory_) / "maildir" / folder, missing)) {
      if (entry.is_regular_file()) files.emplace_back(entry.last_write_time(), entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> messages;
  for (const auto& [time, path] : files) messages.push_back(read_file(path));
  return messages;
}

bool SmtpSink::wait_for(std::size_t count, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (messages().size() < count) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(k_poll_interval);
  }
  return true;
}

}  // namespace payrollx::test
