// The server under a Type=notify unit, with the test in systemd's place: a datagram socket named
// by NOTIFY_SOCKET hears READY=1, the watchdog's pings and STOPPING=1 (docs/deployment.md).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include "eventually.hpp"
#include "test_app.hpp"

using namespace payrollx::test;
using namespace std::chrono_literals;

namespace {

// A free TCP port on 127.0.0.1 (bound, read, released), for a server whose port the test must
// know before the server says it.
std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
               ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  REQUIRE(bound);
  return ntohs(address.sin_port);
}

// Whether something accepts TCP connections on 127.0.0.1:`port` now.
bool accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// systemd's side: a datagram socket in a temporary folder, read by a thread that keeps every
// message in order. When READY=1 comes it tries the server's port at once, so the test knows
// whether the server already listened when it said it was ready.
class NotifyListener {
 public:
  explicit NotifyListener(std::uint16_t server_port)
      : server_port_(server_port), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    std::string folder = "/tmp/payrollx-systemd-XXXXXX";
    REQUIRE(::mkdtemp(folder.data()));
    folder_ = folder;
    path_ = folder + "/notify";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::copy(path_.begin(), path_.end(), address.sun_path);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    thread_ = std::jthread([this](std::stop_token stop) { listen(stop); });
  }
  ~NotifyListener() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
    std::filesystem::remove_all(folder_);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::string& path() const { return path_; }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::size_t count(std::string_view message) const {
    auto all = messages();
    return std::size_t(std::count(all.begin(), all.end(), message));
  }
  bool listening_at_ready() const { return listening_at_ready_; }

 private:
  void listen(const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      pollfd ready{fd_, POLLIN, 0};
      if (::poll(&ready, 1, 20) != 1) continue;
      std::string message(4096, '\0');
      auto size = ::recv(fd_, message.data(), message.size(), 0);
      if (size < 0) continue;
      message.resize(std::size_t(size));
      if (message == "READY=1") listening_at_ready_ = accepts(server_port_);
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
    }
  }

  std::uint16_t server_port_;
  int fd_;
  std::string folder_;
  std::string path_;
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::atomic<bool> listening_at_ready_ = false;
  std::jthread thread_;
};

}  // namespace

TEST_CASE(
    "platform: systemd hears READY=1 once the server listens, WATCHDOG=1 while it runs and "
    "STOPPING=1 on SIGTERM") {
  const auto port = free_port();
  NotifyListener systemd(port);
  ServerSettings settings;
  settings.env = {{"PAYROLLX_LISTEN", fmt::format("127.0.0.1:{}", port)},
                  {"NOTIFY_SOCKET", systemd.path()},
                  {"WATCHDOG_USEC", "200000"}};  // a ping every 100 ms
  TestApp app("platform_systemd", settings);

  REQUIRE(eventually([&] { return systemd.count("READY=1") == 1; }));
  CHECK(systemd.listening_at_ready());
  CHECK(systemd.messages().front() == "READY=1");
  CHECK(app.http().get("/health/live").status == 200);
  // Ready means the migrations are current too.
  CHECK(app.http().get("/health/ready").status == 200);

  // 20 pings nominally in 2 s; a loaded machine delays timers, so only a few are demanded.
  const auto before = systemd.count("WATCHDOG=1");
  std::this_thread::sleep_for(2s);
  const auto pings = systemd.count("WATCHDOG=1") - before;
  CHECK(pings >= 5);
  CHECK(pings <= 25);

  CHECK(app.server().stop(SIGTERM) == 0);
  // Sent before the exit, so already queued for the listener.
  REQUIRE(eventually([&] { return systemd.count("STOPPING=1") == 1; }, 5s));
  auto messages = systemd.messages();
  auto stopping = std::find(messages.begin(), messages.end(), "STOPPING=1");
  // While it drains the loops still turn; nothing but pings follows.
  CHECK(std::all_of(std::next(stopping), messages.end(),
                    [](const std::string& message) { return message == "WATCHDOG=1"; }));
  CHECK(systemd.count("READY=1") == 1);
}
