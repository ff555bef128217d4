#pragma once
// systemd's notification protocol (sd_notify(3)) for a `Type=notify` unit: READY=1 once the
// server listens, STOPPING=1 when it begins to shut down, WATCHDOG=1 from the event loops.
//
// Spoken by hand rather than through libsystemd: a notification is one datagram sent to the
// AF_UNIX socket named by $NOTIFY_SOCKET, which takes about as many lines as calling the library,
// and it spares a build and runtime dependency (README, Dockerfile, every machine) for it.
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace boost::asio {
class io_context;
}

namespace payrollx {

class SystemdNotifier {
 public:
  // From NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID of the process. Without NOTIFY_SOCKET (not
  // started by systemd, or not as Type=notify) every call below does nothing.
  static SystemdNotifier from_environment();
  // The same with the variables from `env`, as the process `own_pid` (tests).
  static SystemdNotifier from_environment(const EnvLookup& env, long own_pid);

  SystemdNotifier(SystemdNotifier&&) noexcept;
  SystemdNotifier& operator=(SystemdNotifier&&) noexcept;
  ~SystemdNotifier();

  bool enabled() const;
  // Half of WATCHDOG_USEC (systemd's advice), when the unit has a watchdog for this process.
  std::optional<std::chrono::microseconds> watchdog_period() const;

  void ready() { notify("READY=1"); }
  void stopping() { notify("STOPPING=1"); }
  // Sends `message` (newline-separated VARIABLE=value lines) without ever blocking: a failure is
  // logged the first time and otherwise ignored (the server serves the same without systemd).
  void notify(std::string_view message);

  // Sends WATCHDOG=1 every watchdog_period() from a timer on contexts[0], and only while each of
  // the other contexts has run a probe posted to it a period earlier: a stuck event loop stops
  // the pings and systemd restarts the service. Does nothing without a watchdog. Call
  // stop_watchdog() on contexts[0]'s thread or once that context has stopped.
  void start_watchdog(std::vector<boost::asio::io_context*> contexts);
  void stop_watchdog();

 private:
  struct State;
  class Watchdog;
  explicit SystemdNotifier(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace payrollx
