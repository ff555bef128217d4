#include "core/db/pool_rules.hpp"

namespace payrollx::db::pool_rules {

namespace {
constexpr milliseconds k_conflict_base_delay{5};
constexpr int k_conflict_max_doublings = 6;
}  // namespace

milliseconds waiter_sweep_interval(milliseconds acquire_timeout) {
  return std::clamp(acquire_timeout / 10, milliseconds(1), milliseconds(100));
}

IdleCheck idle_check(Clock::time_point idle_since, Clock::time_point now,
                     milliseconds round_trip_after) {
  auto idle = now - idle_since;
  if (idle < k_read_socket_after) return IdleCheck::none;
  if (idle < round_trip_after) return IdleCheck::read_socket;
  return IdleCheck::round_trip;
}

bool may_open_pipeline(std::size_t pipelines, int open, int max_size) {
  auto allowed = static_cast<std::size_t>(max_size / k_connections_per_pipeline);
  return pipelines < allowed && has_room(open, max_size);
}

milliseconds next_reconnect_delay(milliseconds previous) {
  return std::clamp(previous * 2, k_first_reconnect_delay, k_max_reconnect_delay);
}

bool rerun_statement(int attempts_made, bool nothing_ran, int max_size) {
  return nothing_ran && attempts_made <= max_size;
}

TxNext after_failed_run(TxFailure failure, TxReruns& reruns, int max_attempts, int max_size) {
  switch (failure) {
    case TxFailure::lost_before_commit:
      return ++reruns.lost <= max_size ? TxNext::rerun_now : TxNext::give_up;
    case TxFailure::conflict:
      return ++reruns.conflicts < max_attempts ? TxNext::rerun_after_backoff : TxNext::give_up;
    case TxFailure::other:
      break;
  }
  return TxNext::give_up;
}

milliseconds conflict_backoff(int conflicts) {
  return k_conflict_base_delay * (1 << std::min(conflicts, k_conflict_max_doublings));
}

}  // namespace payrollx::db::pool_rules
