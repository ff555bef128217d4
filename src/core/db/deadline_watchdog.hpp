#pragma once
// Private to core/db: enforces the client-side deadline of database statements without a timer
// per wait. One process-wide thread wakes every k_tick; for each registered socket whose deadline
// passed it marks the registration expired and shuts the socket down, which wakes the coroutine
// waiting on it (on that coroutine's own thread, with no cross-thread access to its Asio objects).
// The deadline is a backstop behind the server's statement_timeout, so a tick of granularity is
// plenty.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace payrollx::db {

class DeadlineWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds k_tick{100};

  // One socket's registration. The watchdog shuts down its own duplicate of the descriptor, so a
  // descriptor number that libpq closed (a lost connection) and the kernel handed out again is
  // never touched.
  class Registration {
   public:
    Registration();
    ~Registration();
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

    // The socket guarded from now on (-1: none). Throws std::system_error when dup fails.
    void guard(int fd);
    void set_deadline(Clock::time_point deadline);
    // Ends the command's deadline; true when it had expired, so that the socket was (or is
    // being) shut down and the connection must not be used again.
    bool clear_deadline();
    // The deadline passed (and the socket was shut down) since the last set_deadline.
    bool expired() const { return deadline_.load(std::memory_order_acquire) == k_expired; }

   private:
    friend class DeadlineWatchdog;
    // No command in flight, and a deadline the watchdog claimed (with a compare-and-swap, so a
    // command that ends at that very moment either sees it expired or keeps its socket).
    static constexpr Clock::rep k_none = 0;
    static constexpr Clock::rep k_expired = -1;
    int guard_fd_ = -1;  // written under the watchdog's mutex
    std::atomic<Clock::rep> deadline_{k_none};
  };

 private:
  // Created on first use and never destroyed: its detached thread may still be checking while
  // the process exits.
  static DeadlineWatchdog& instance();
  DeadlineWatchdog() = default;
  void add(Registration* registration);
  void remove(Registration* registration);
  void run();
  static void expire_if_due(Registration& registration, Clock::rep now);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Registration*> registrations_;
  bool started_ = false;
};

}  // namespace payrollx::db
