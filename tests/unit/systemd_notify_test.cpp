// The notification protocol spoken to a real datagram socket, bound here as systemd binds its own:
// the message, the socket's address (a path, or a name in the abstract namespace), the watchdog's
// variables, and the watchdog driven by event loops that turn or are stuck.
#include "core/systemd_notify.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstddef>
#include <filesystem>
#include <map>
#include <thread>

#include "captured_stdout.hpp"

using payrollx::SystemdNotifier;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

// A bound AF_UNIX datagram socket, at `name` in a fresh temporary folder or, for "@name", at
// name in the abstract namespace.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& name)
      : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::size_t length = 0;
    if (name.starts_with('@')) {
      notify_socket_ = name;
      address.sun_path[0] = '\0';
      std::copy(name.begin() + 1, name.end(), address.sun_path + 1);
      length = name.size();
    } else {
      std::string folder = "/tmp/payrollx-notify-XXXXXX";
      REQUIRE(::mkdtemp(folder.data()));
      folder_ = folder;
      notify_socket_ = folder + "/" + name;
      std::copy(notify_socket_.begin(), notify_socket_.end(), address.sun_path);
      length = notify_socket_.size() + 1;
    }
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address),
                   socklen_t(offsetof(sockaddr_un, sun_path) + length)) == 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    if (!folder_.empty()) fs::remove_all(folder_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // What NOTIFY_SOCKET says to reach it.
  const std::string& notify_socket() const { return notify_socket_; }

  // The next datagram, if one arrives within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = 2s) {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, int(timeout.count())) != 1) return std::nullopt;
    std::string message(4096, '\0');
    auto size = ::recv(fd_, message.data(), message.size(), 0);
    REQUIRE(size >= 0);
    message.resize(std::size_t(size));
    return message;
  }
  // Every datagram already queued.
  std::vector<std::string> drain() {
    std::vector<std::string> messages;
    while (auto message = receive(0ms)) messages.push_back(*message);
    return messages;
  }

 private:
  int fd_;
  std::string folder_;
  std::string notify_socket_;
};

payrollx::EnvLookup env_of(std::map<std::string, std::string> variables) {
  return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto found = variables.find(name);
    if (found == variables.end()) return std::nullopt;
    return found->second;
  };
}

constexpr long k_pid = 4242;

SystemdNotifier notifier_for(const NotifySocket& socket, std::map<std::string, std::string> more) {
  more["NOTIFY_SOCKET"] = socket.notify_socket();
  return SystemdNotifier::from_environment(env_of(std::move(more)), k_pid);
}

std::size_t count_of(const std::vector<std::string>& messages, std::string_view message) {
  return std::size_t(std::count(messages.begin(), messages.end(), message));
}

}  // namespace

TEST_CASE("systemd: READY=1 and STOPPING=1 reach the socket NOTIFY_SOCKET names", "[unit]") {
  NotifySocket socket("notify");
  auto notifier = notifier_for(socket, {});
  CHECK(notifier.enabled());
  notifier.ready();
  CHECK(socket.receive() == "READY=1");
  notifier.stopping();
  CHECK(socket.receive() == "STOPPING=1");
  notifier.notify("STATUS=draining\nWATCHDOG=1");
  CHECK(socket.receive() == "STATUS=draining\nWATCHDOG=1");
}

TEST_CASE("systemd: an @ in NOTIFY_SOCKET names a socket in the abstract namespace", "[unit]") {
  // Bound with the exact length of its name: a sender adding a NUL or padding misses it.
  NotifySocket socket(fmt::format("@payrollx-notify-test-{}", ::getpid()));
  auto notifier = notifier_for(socket, {});
  notifier.ready();
  CHECK(socket.receive() == "READY=1");
}

TEST_CASE("systemd: without a usable NOTIFY_SOCKET nothing is sent and nothing fails", "[unit]") {
  CHECK_FALSE(SystemdNotifier::from_environment(env_of({}), k_pid).enabled());
  CHECK_FALSE(SystemdNotifier::from_environment(env_of({{"NOTIFY_SOCKET", ""}}), k_pid).enabled());

  payrollx::test::CapturedStdout out;
  auto relative = SystemdNotifier::from_environment(
      env_of({{"NOTIFY_SOCKET", "run/notify"}, {"WATCHDOG_USEC", "1000000"}}), k_pid);
  CHECK_FALSE(relative.enabled());
  CHECK_FALSE(relative.watchdog_period());
  relative.ready();
  CHECK_THAT(out.text(), Catch::Contains("systemd.notify_socket_invalid"));
}

TEST_CASE("systemd: a notification that cannot be sent is logged once and ignored", "[unit]") {
  NotifySocket socket("notify");
  auto notifier = SystemdNotifier::from_environment(
      env_of({{"NOTIFY_SOCKET", socket.notify_socket() + ".gone"}}), k_pid);
  payrollx::test::CapturedStdout out;
  notifier.ready();
  notifier.stopping();
  auto text = out.text();
  std::size_t logged = 0;
  for (auto at = text.find("systemd.notify_failed"); at != std::string::npos;
       at = text.find("systemd.notify_failed", at + 1))
    ++logged;
  CHECK(logged == 1);
}

TEST_CASE("systemd: the watchdog period is half of WATCHDOG_USEC, for the WATCHDOG_PID process",
          "[unit]") {
  NotifySocket socket("notify");
  auto period = [&](std::map<std::string, std::string> variables) {
    return notifier_for(socket, std::move(variables)).watchdog_period();
  };
  CHECK(period({{"WATCHDOG_USEC", "20000000"}}) == 10s);
  CHECK(period({{"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "4242"}}) == 100ms);
  // Meant for another process (the variables were inherited), or not said clearly: no watchdog.
  CHECK_FALSE(period({{"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "4243"}}));
  CHECK_FALSE(period({{"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "42x"}}));
  for (const auto* bad : {"", "0", "1", "-200000", "200000 ", "2e5", "abc"}) {
    INFO(bad);
    CHECK_FALSE(period({{"WATCHDOG_USEC", bad}}));
  }
  CHECK_FALSE(period({}));
}

TEST_CASE("systemd: the watchdog pings from the event loops while every one of them turns",
          "[unit]") {
  NotifySocket socket("notify");
  auto notifier = notifier_for(socket, {{"WATCHDOG_USEC", "20000"}});  // a ping every 10 ms
  boost::asio::io_context main(1), worker(1);
  notifier.start_watchdog({&main, &worker});
  CHECK(socket.drain().empty());  // only once a loop runs

  auto guard = boost::asio::make_work_guard(worker);
  std::jthread worker_thread([&] { worker.run_for(400ms); });
  // Read as it goes: the socket queues only 10 datagrams (net.unix.max_dgram_qlen).
  std::size_t pings = 0;
  for (int i = 0; i < 10; ++i) {
    main.run_for(30ms);
    pings += count_of(socket.drain(), "WATCHDOG=1");
  }
  notifier.stop_watchdog();
  // 30 nominally; a loaded machine delays timers, so only a few are demanded.
  CHECK(pings >= 5);
  CHECK(pings <= 31);
}

TEST_CASE("systemd: a stuck event loop stops the watchdog's pings until it turns again", "[unit]") {
  NotifySocket socket("notify");
  auto notifier = notifier_for(socket, {{"WATCHDOG_USEC", "20000"}});
  boost::asio::io_context main(1), stuck(1);  // `stuck` runs only when told: its probe waits
  notifier.start_watchdog({&main, &stuck});
  payrollx::test::CapturedStdout out;
  main.run_for(100ms);
  CHECK(count_of(socket.drain(), "WATCHDOG=1") == 0);
  CHECK_THAT(out.text(), Catch::Contains("systemd.watchdog_withheld"));

  CHECK(stuck.poll() == 1);  // the probe
  main.run_for(50ms);
  notifier.stop_watchdog();
  // One ping, then the next probe waits on `stuck` again.
  CHECK(count_of(socket.drain(), "WATCHDOG=1") == 1);
}
