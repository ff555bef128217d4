// The connection pool's decisions (core/db/pool_rules), each against instants of a made-up
// clock: the pool itself is tested against PostgreSQL in tests/integration/db_pool_test.cpp.
#include <catch2/catch.hpp>
#include <vector>

#include "core/db/pool_rules.hpp"

using namespace payrollx::db::pool_rules;
using namespace std::chrono_literals;

namespace {

// A clock that reads what the test says: instants are offsets from an arbitrary origin.
struct FakeClock {
  Clock::time_point now = Clock::time_point(1h);
  Clock::time_point at(Clock::duration offset) const { return now + offset; }
  void advance(Clock::duration by) { now += by; }
};

struct TestWaiter {
  int id;
  Clock::time_point since;
  bool local;  // on the released connection's io_context
};

// The id of the waiter a released connection goes to.
int chosen(const std::vector<TestWaiter>& waiters) {
  auto found = waiter_for_released(
      waiters.begin(), waiters.end(), [](const TestWaiter& w) { return w.since; },
      [](const TestWaiter& w) { return w.local; });
  return found->id;
}

}  // namespace

TEST_CASE("db pool rules: a released connection goes to the oldest waiter on its own context",
          "[unit]") {
  FakeClock clock;
  SECTION("the oldest waiter is local: it gets it") {
    CHECK(chosen({{1, clock.at(0ms), true}, {2, clock.at(1ms), true}}) == 1);
  }
  SECTION("a local waiter that came less than 2 ms after the oldest goes first") {
    CHECK(chosen({{1, clock.at(0ms), false}, {2, clock.at(1999us), true}}) == 2);
  }
  SECTION("of several local waiters, the oldest") {
    CHECK(chosen({{1, clock.at(0ms), false},
                  {2, clock.at(500us), false},
                  {3, clock.at(1ms), true},
                  {4, clock.at(1500us), true}}) == 3);
  }
  SECTION("no local waiter: the oldest, whatever its context") {
    CHECK(chosen({{1, clock.at(0ms), false}, {2, clock.at(0ms), false}}) == 1);
  }
  SECTION("a single waiter on another context gets it") {
    CHECK(chosen({{1, clock.at(0ms), false}}) == 1);
  }
}

TEST_CASE("db pool rules: a waiter 2 ms older than any local one gets the connection first",
          "[unit]") {
  FakeClock clock;
  // Exactly the limit is already too long a wait for the preference to hold.
  CHECK(chosen({{1, clock.at(0ms), false}, {2, clock.at(k_local_handoff_limit), true}}) == 1);
  CHECK(chosen({{1, clock.at(0ms), false}, {2, clock.at(3ms), true}}) == 1);
  // Measured from the oldest of all, not from the waiter just before the local one.
  CHECK(
      chosen({{1, clock.at(0ms), false}, {2, clock.at(1ms), false}, {3, clock.at(2500us), true}}) ==
      1);
  CHECK(
      chosen({{1, clock.at(0ms), false}, {2, clock.at(1ms), false}, {3, clock.at(1500us), true}}) ==
      3);
  CHECK(chosen({{1, clock.at(4ms), false}, {2, clock.at(5ms), true}}) == 2);
}

TEST_CASE("db pool rules: an acquire expires at its deadline, not before", "[unit]") {
  FakeClock clock;
  auto deadline = clock.at(5s);
  CHECK_FALSE(acquire_expired(deadline, clock.now));
  clock.advance(5s - 1ms);
  CHECK_FALSE(acquire_expired(deadline, clock.now));
  clock.advance(1ms);
  CHECK(acquire_expired(deadline, clock.now));
  clock.advance(1h);
  CHECK(acquire_expired(deadline, clock.now));
}

TEST_CASE("db pool rules: waiters are swept a tenth of the acquire timeout apart, 1-100 ms",
          "[unit]") {
  CHECK(waiter_sweep_interval(300ms) == 30ms);
  CHECK(waiter_sweep_interval(5000ms) == 100ms);
  CHECK(waiter_sweep_interval(1000ms) == 100ms);
  CHECK(waiter_sweep_interval(5ms) == 1ms);
  CHECK(waiter_sweep_interval(0ms) == 1ms);
}

TEST_CASE("db pool rules: how much an idle connection is checked grows with its idle time",
          "[unit]") {
  FakeClock clock;
  const auto idle_since = clock.now;
  const auto round_trip_after = 10s;
  SECTION("back a moment ago: no check") {
    CHECK(idle_check(idle_since, clock.at(0ms), round_trip_after) == IdleCheck::none);
    CHECK(idle_check(idle_since, clock.at(k_read_socket_after - 1ms), round_trip_after) ==
          IdleCheck::none);
  }
  SECTION("from 250 ms: its socket is read") {
    CHECK(idle_check(idle_since, clock.at(k_read_socket_after), round_trip_after) ==
          IdleCheck::read_socket);
    CHECK(idle_check(idle_since, clock.at(round_trip_after - 1ms), round_trip_after) ==
          IdleCheck::read_socket);
  }
  SECTION("from idle_check_after: a round trip") {
    CHECK(idle_check(idle_since, clock.at(round_trip_after), round_trip_after) ==
          IdleCheck::round_trip);
    CHECK(idle_check(idle_since, clock.at(1h), round_trip_after) == IdleCheck::round_trip);
  }
  SECTION("an idle_check_after under 250 ms still hands out a busy connection unchecked") {
    CHECK(idle_check(idle_since, clock.at(10ms), 0ms) == IdleCheck::none);
    CHECK(idle_check(idle_since, clock.at(k_read_socket_after), 0ms) == IdleCheck::round_trip);
  }
}

TEST_CASE("db pool rules: another connection opens only while the pool is under max_size",
          "[unit]") {
  CHECK(has_room(0, 16));
  CHECK(has_room(15, 16));
  CHECK_FALSE(has_room(16, 16));
  CHECK_FALSE(has_room(17, 16));
  CHECK_FALSE(has_room(0, 0));
}

TEST_CASE("db pool rules: at most one connection in four is a pipeline, within max_size",
          "[unit]") {
  CHECK(may_open_pipeline(0, 0, 16));
  CHECK(may_open_pipeline(3, 10, 16));
  CHECK_FALSE(may_open_pipeline(4, 10, 16));  // 16 / 4
  CHECK_FALSE(may_open_pipeline(0, 16, 16));  // no room left in the pool
  CHECK(may_open_pipeline(0, 0, 4));
  CHECK_FALSE(may_open_pipeline(1, 1, 4));
  CHECK_FALSE(may_open_pipeline(0, 0, 3));  // too small a pool for any
}

TEST_CASE("db pool rules: reconnecting backs off from 100 ms, doubling, up to 2 s", "[unit]") {
  CHECK(next_reconnect_delay(0ms) == 100ms);
  CHECK(next_reconnect_delay(100ms) == 200ms);
  CHECK(next_reconnect_delay(800ms) == 1600ms);
  CHECK(next_reconnect_delay(1600ms) == 2000ms);
  CHECK(next_reconnect_delay(2000ms) == 2000ms);

  FakeClock clock;
  auto reconnect_after = clock.at(150ms);
  CHECK_FALSE(may_connect(reconnect_after, clock.now));
  clock.advance(149ms);
  CHECK_FALSE(may_connect(reconnect_after, clock.now));
  clock.advance(1ms);
  CHECK(may_connect(reconnect_after, clock.now));
  CHECK(may_connect(Clock::time_point{}, clock.now));  // never failed
}

TEST_CASE("db pool rules: a statement reruns only when nothing of it ran, max_size + 1 runs",
          "[unit]") {
  CHECK(rerun_statement(1, true, 4));
  CHECK(rerun_statement(4, true, 4));
  CHECK_FALSE(rerun_statement(5, true, 4));  // one per pooled connection, and a fresh one
  CHECK_FALSE(rerun_statement(1, false, 4));
}

TEST_CASE("db pool rules: a transaction reruns conflicts up to max_attempts runs", "[unit]") {
  TxReruns reruns;
  // max_attempts 3: the first and second conflicts rerun, the third is the third run's failure.
  CHECK(after_failed_run(TxFailure::conflict, reruns, 3, 8) == TxNext::rerun_after_backoff);
  CHECK(after_failed_run(TxFailure::conflict, reruns, 3, 8) == TxNext::rerun_after_backoff);
  CHECK(after_failed_run(TxFailure::conflict, reruns, 3, 8) == TxNext::give_up);

  TxReruns once;
  CHECK(after_failed_run(TxFailure::conflict, once, 1, 8) == TxNext::give_up);
}

TEST_CASE("db pool rules: a transaction whose connection was lost before COMMIT reruns at once",
          "[unit]") {
  TxReruns reruns;
  for (int i = 0; i < 2; ++i)
    CHECK(after_failed_run(TxFailure::lost_before_commit, reruns, 5, 2) == TxNext::rerun_now);
  CHECK(after_failed_run(TxFailure::lost_before_commit, reruns, 5, 2) == TxNext::give_up);
  // Lost connections do not use up the conflicts' attempts, nor the other way round.
  TxReruns mixed;
  CHECK(after_failed_run(TxFailure::lost_before_commit, mixed, 2, 4) == TxNext::rerun_now);
  CHECK(after_failed_run(TxFailure::conflict, mixed, 2, 4) == TxNext::rerun_after_backoff);
  CHECK(after_failed_run(TxFailure::lost_before_commit, mixed, 2, 4) == TxNext::rerun_now);
}

TEST_CASE("db pool rules: any other failure ends the transaction at once", "[unit]") {
  TxReruns reruns;
  CHECK(after_failed_run(TxFailure::other, reruns, 5, 8) == TxNext::give_up);
  CHECK(reruns.conflicts == 0);
  CHECK(reruns.lost == 0);
}

TEST_CASE("db pool rules: the conflict backoff doubles from 10 ms up to 320 ms", "[unit]") {
  CHECK(conflict_backoff(1) == 10ms);
  CHECK(conflict_backoff(2) == 20ms);
  CHECK(conflict_backoff(5) == 160ms);
  CHECK(conflict_backoff(6) == 320ms);
  CHECK(conflict_backoff(20) == 320ms);
}
