#include "core/systemd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

#include "core/log.hpp"

namespace payrollx {
namespace {

// A whole decimal number, nothing else (sd_watchdog_enabled parses the variables as strictly).
template <class T>
std::optional<T> parse_number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  T value{};
  const char* end = text->data() + text->size();
  auto [stop, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

// systemd's rule, as sd_watchdog_enabled(3) applies it: WATCHDOG_USEC is the timeout, and
// WATCHDOG_PID, when set, names the one process meant to ping (not a child that inherited it).
// A timeout of 0 turns the watchdog off, and so does 1 µs, whose half would be no period at all.
std::optional<std::chrono::microseconds> watchdog_period_of(const EnvLookup& env, long own_pid) {
  auto timeout = parse_number<std::uint64_t>(env("WATCHDOG_USEC"));
  if (!timeout || *timeout / 2 == 0) return std::nullopt;
  if (auto pid_text = env("WATCHDOG_PID")) {
    auto pid = parse_number<long>(pid_text);
    if (!pid || *pid != own_pid) return std::nullopt;
  }
  return std::chrono::microseconds(*timeout / 2);
}

}  // namespace

struct SystemdNotifier::State {
  int fd = -1;  // -1: notifications are off
  sockaddr_un address{};
  socklen_t address_length = 0;
  std::optional<std::chrono::microseconds> watchdog_period;
  std::atomic<bool> failure_logged = false;
  std::unique_ptr<Watchdog> watchdog;

  ~State() {
    watchdog.reset();
    if (fd >= 0) ::close(fd);
  }

  void send(std::string_view message) {
    if (fd < 0) return;
    // MSG_DONTWAIT on a non-blocking socket: a full queue on systemd's side fails with EAGAIN
    // rather than holding up the event loop.
    auto sent = ::sendto(fd, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                         reinterpret_cast<const sockaddr*>(&address), address_length);
    if (sent >= 0 || failure_logged.exchange(true)) return;
    log::warn("systemd.notify_failed",
              {{"message", message},
               {"error", std::strerror(errno)},
               {"detail", "later notifications that fail are not logged"}});
  }
};

// Runs on contexts[0]. Each tick finds whether the probes posted at the previous one have all
// run: then every loop turned within the period, and the tick pings systemd and probes again.
class SystemdNotifier::Watchdog {
 public:
  Watchdog(State& state, std::chrono::microseconds period,
           std::vector<boost::asio::io_context*> contexts)
      : state_(state), period_(period), contexts_(std::move(contexts)), timer_(*contexts_.front()) {
    probe();
    arm();
  }

 private:
  void arm() {
    timer_.expires_after(period_);
    // Destroying the timer (stop_watchdog) cancels the wait: the handler then touches nothing.
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      tick();
      arm();
    });
  }

  void tick() {
    if (auto silent = unanswered_->load(); silent > 0) {
      log::warn(
          "systemd.watchdog_withheld",
          {{"loops", silent}, {"detail", "an event loop did not turn within the watchdog period"}});
      return;
    }
    state_.send("WATCHDOG=1");
    probe();
  }

  void probe() {
    unanswered_->store(contexts_.size() - 1);
    // The counter is shared: a probe may still be queued on a context when the watchdog goes.
    for (std::size_t i = 1; i < contexts_.size(); ++i)
      boost::asio::post(*contexts_[i], [unanswered = unanswered_] { --*unanswered; });
  }

  State& state_;
  std::chrono::microseconds period_;
  std::vector<boost::asio::io_context*> contexts_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<std::atomic<std::size_t>> unanswered_ =
      std::make_shared<std::atomic<std::size_t>>(0);
};

SystemdNotifier SystemdNotifier::from_environment() {
  return from_environment(process_env, ::getpid());
}

SystemdNotifier SystemdNotifier::from_environment(const EnvLookup& env, long own_pid) {
  auto state = std::make_unique<State>();
  auto path = env("NOTIFY_SOCKET").value_or("");
  if (path.empty()) return SystemdNotifier(std::move(state));
  // An absolute path, or '@' for Linux's abstract namespace: there the name starts with a NUL
  // byte and is exactly as long as the address says (no terminating NUL).
  const bool abstract = path.front() == '@';
  if ((!abstract && path.front() != '/') || path.size() >= sizeof state->address.sun_path) {
    log::warn("systemd.notify_socket_invalid",
              {{"socket", path}, {"detail", "NOTIFY_SOCKET is not an absolute path or @name"}});
    return SystemdNotifier(std::move(state));
  }
  state->address.sun_family = AF_UNIX;
  std::memcpy(state->address.sun_path, path.data(), path.size());
  if (abstract) state->address.sun_path[0] = '\0';
  state->address_length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
  state->fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (state->fd < 0)
    log::warn("systemd.notify_failed", {{"socket", path}, {"error", std::strerror(errno)}});
  else
    state->watchdog_period = watchdog_period_of(env, own_pid);
  return SystemdNotifier(std::move(state));
}

SystemdNotifier::SystemdNotifier(std::unique_ptr<State> state) : state_(std::move(state)) {}
SystemdNotifier::SystemdNotifier(SystemdNotifier&&) noexcept = default;
SystemdNotifier& SystemdNotifier::operator=(SystemdNotifier&&) noexcept = default;
SystemdNotifier::~SystemdNotifier() = default;

bool SystemdNotifier::enabled() const {
  return state_->fd >= 0;
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_period() const {
  return state_->watchdog_period;
}

void SystemdNotifier::notify(std::string_view message) {
  state_->send(message);
}

void SystemdNotifier::start_watchdog(std::vector<boost::asio::io_context*> contexts) {
  if (!state_->watchdog_period || contexts.empty()) return;
  state_->watchdog =
      std::make_unique<Watchdog>(*state_, *state_->watchdog_period, std::move(contexts));
}

void SystemdNotifier::stop_watchdog() {
  state_->watchdog.reset();
}

}  // namespace payrollx
