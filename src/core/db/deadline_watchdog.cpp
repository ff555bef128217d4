#include "core/db/deadline_watchdog.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>

namespace payrollx::db {

using Registration = DeadlineWatchdog::Registration;

DeadlineWatchdog& DeadlineWatchdog::instance() {
  static auto* watchdog = new DeadlineWatchdog();
  return *watchdog;
}

void DeadlineWatchdog::add(Registration* registration) {
  std::lock_guard lock(mutex_);
  registrations_.push_back(registration);
  if (!started_) {
    started_ = true;
    std::thread([this] { run(); }).detach();
  }
  wake_.notify_one();
}

void DeadlineWatchdog::remove(Registration* registration) {
  std::lock_guard lock(mutex_);
  registrations_.erase(std::find(registrations_.begin(), registrations_.end(), registration));
}

void DeadlineWatchdog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Asleep, not ticking, while no connection exists.
    wake_.wait(lock, [this] { return !registrations_.empty(); });
    wake_.wait_for(lock, k_tick);
    auto now = Clock::now().time_since_epoch().count();
    for (auto* registration : registrations_) expire_if_due(*registration, now);
  }
}

void DeadlineWatchdog::expire_if_due(Registration& registration, Clock::rep now) {
  auto deadline = registration.deadline_.load(std::memory_order_acquire);
  if (deadline <= Registration::k_none || deadline > now || registration.guard_fd_ < 0) return;
  if (!registration.deadline_.compare_exchange_strong(deadline, Registration::k_expired,
                                                      std::memory_order_acq_rel))
    return;  // the command ended (or got a new deadline) meanwhile
  // Both directions: a wait for either readiness returns at once, now or when it starts.
  ::shutdown(registration.guard_fd_, SHUT_RDWR);
}

Registration::Registration() {
  instance().add(this);
}

Registration::~Registration() {
  instance().remove(this);
  if (guard_fd_ >= 0) ::close(guard_fd_);
}

void Registration::guard(int fd) {
  int duplicate = -1;
  if (fd >= 0) {
    duplicate = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) throw std::system_error(errno, std::system_category(), "dup");
  }
  std::lock_guard lock(instance().mutex_);
  if (guard_fd_ >= 0) ::close(guard_fd_);
  guard_fd_ = duplicate;
}

void Registration::set_deadline(Clock::time_point deadline) {
  deadline_.store(deadline.time_since_epoch().count(), std::memory_order_release);
}

bool Registration::clear_deadline() {
  return deadline_.exchange(k_none, std::memory_order_acq_rel) == k_expired;
}

}  // namespace payrollx::db
