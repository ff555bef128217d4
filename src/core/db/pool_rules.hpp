#pragma once
// Private to core/db: the decisions of the connection pool, as pure functions of counts and
// times. The pool passes the clock's reading in (`now`), so that each rule can be tested on its
// own with made-up instants; the pool keeps the state, the locking and the sockets.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>

namespace payrollx::db::pool_rules {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// --- Which waiter gets a released connection --------------------------------------------------

// A released connection goes to the oldest waiter on the connection's own io_context: its socket
// is already watched there, so the waiter resumes without a thread hop or a re-registration.
// Fairness caps that preference: when the oldest waiter of all began waiting this much earlier
// than that local one, the oldest gets it (moved to its context). No context then waits longer
// than another by more than this at any load, and under an even load connections stay put.
inline constexpr milliseconds k_local_handoff_limit{2};

// Among the waiters [first, last), in the order they began waiting (not empty), the one a
// released connection goes to. `since(waiter)` is when it began waiting; `local(waiter)` whether
// it runs on the connection's io_context.
template <class Iterator, class Since, class Local>
Iterator waiter_for_released(Iterator first, Iterator last, Since since, Local local) {
  if (local(*first)) return first;
  auto nearest = std::find_if(std::next(first), last, local);
  if (nearest != last && since(*nearest) - since(*first) < k_local_handoff_limit) return nearest;
  return first;
}

// Whether a waiter that has had neither a connection nor room to open one gives up now.
inline bool acquire_expired(Clock::time_point deadline, Clock::time_point now) {
  return deadline <= now;
}

// How often the waiters are swept for expired deadlines: a tenth of the acquire timeout (a
// timeout fires at most that late), between 1 ms and 100 ms.
milliseconds waiter_sweep_interval(milliseconds acquire_timeout);

// --- How much an idle connection is checked before it is handed out ---------------------------

enum class IdleCheck {
  // Back from work a moment ago (a busy pool checks out thousands a second): what the connection
  // knows of itself is enough.
  none,
  // Read, without sending anything, what arrived while it sat idle: a terminated backend leaves
  // an error and the end of the stream behind.
  read_socket,
  // Read as above, then a round trip (SELECT 1): it sat idle long enough for a firewall or a
  // server restart to have killed it without a word.
  round_trip,
};

// Idle for less than this, a connection is handed out without reading its socket.
inline constexpr milliseconds k_read_socket_after{250};

// `round_trip_after` is PoolOptions::idle_check_after.
IdleCheck idle_check(Clock::time_point idle_since, Clock::time_point now,
                     milliseconds round_trip_after);

// --- Whether to open another connection -------------------------------------------------------

// `open` counts idle, leased and being-opened connections and the pipelines' against max_size.
inline bool has_room(int open, int max_size) {
  return open < max_size;
}

// At most one pooled connection in this many is a pipeline (and one per io_context at most), so
// that transactions keep most of the pool. Pipelining the shared reads took `/auth/me` from
// 0.58-0.75 to 0.79-1.37 of its ceiling, and PostgreSQL's CPU per request from 25-28 us to about
// 15 us (docs/bench.md, `bench/run`, 2026-12-01).
inline constexpr int k_connections_per_pipeline = 4;

// Whether a context without a pipeline may open one, `pipelines` being open or opening.
bool may_open_pipeline(std::size_t pipelines, int open, int max_size);

// After a failed connect, connecting is refused (fast, instead of queueing on a dead server)
// until a delay passes that doubles with each failure in a row, from the first to the most.
inline constexpr milliseconds k_first_reconnect_delay{100};
inline constexpr milliseconds k_max_reconnect_delay{2000};

// The delay (before jitter) after one more failure; `previous` is 0 after a success.
milliseconds next_reconnect_delay(milliseconds previous);

inline bool may_connect(Clock::time_point reconnect_after, Clock::time_point now) {
  return now >= reconnect_after;
}

// --- Whether to run a failed statement or transaction again ------------------------------------

// A statement on a pooled connection that died with nothing of it run (it never went out, or the
// server ended the session, rolling it back) runs again: after a mass termination every pooled
// connection may be dead, so once per connection of a full pool and once on a fresh one.
bool rerun_statement(int attempts_made, bool nothing_ran, int max_size);

enum class TxFailure {
  conflict,            // 40001 / 40P01: the server rolled back, also when COMMIT failed
  lost_before_commit,  // the connection died before COMMIT went out: nothing was committed
  other,               // anything else, and a connection lost during COMMIT (outcome unknown)
};

enum class TxNext { rerun_now, rerun_after_backoff, give_up };

struct TxReruns {
  int conflicts = 0;
  int lost = 0;
};

// What follows a failed run of a transaction's body; counts it in `reruns`. Conflicts rerun up to
// `max_attempts` runs in all, after a backoff; a lost connection reruns at once, once per pooled
// connection that may be dead.
TxNext after_failed_run(TxFailure failure, TxReruns& reruns, int max_attempts, int max_size);

// The backoff (before jitter) after the `conflicts`-th conflict in a row: doubles from 10 ms, up
// to 320 ms.
milliseconds conflict_backoff(int conflicts);

}  // namespace payrollx::db::pool_rules
