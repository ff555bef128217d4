// Ids: canonical text, strict parsing, and version-7 generation (time-ordered, unique).
#include "core/uuid.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

using payrollx::Uuid;

TEST_CASE("uuid: generated ids are version 7 with the RFC 9562 variant") {
  auto id = Uuid::random();
  CHECK((id.bytes()[6] >> 4) == 7);
  CHECK((id.bytes()[8] >> 6) == 2);
  CHECK(Uuid::parse(id.str()) == id);
  CHECK(id.str().size() == 36);
}

TEST_CASE("uuid: ids carry the time, so later ids sort after earlier ones") {
  auto earlier = Uuid::random();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto later = Uuid::random();
  CHECK(earlier < later);
  CHECK(earlier.str() < later.str());
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::int64_t stamped = 0;
  for (int i = 0; i < 6; ++i) stamped = (stamped << 8) | later.bytes()[static_cast<std::size_t>(i)];
  CHECK(stamped <= millis);
  CHECK(stamped > millis - 1000);
}

TEST_CASE("uuid: a hundred thousand ids in a burst are all different, in the order made") {
  std::vector<Uuid> made(100000);
  for (auto& id : made) id = Uuid::random();
  // Within a millisecond too (a burst spans a few dozen): a run's ids enter an index in order.
  for (std::size_t i = 1; i < made.size(); ++i) {
    INFO("id " << i);
    REQUIRE(made[i - 1] < made[i]);
  }
  for (const auto& id : made) {
    REQUIRE((id.bytes()[6] >> 4) == 7);
    REQUIRE((id.bytes()[8] >> 6) == 2);
  }
}

TEST_CASE("uuid: threads making ids at once never make the same one") {
  constexpr int k_threads = 4, k_each = 50000;
  std::vector<std::vector<Uuid>> made(k_threads, std::vector<Uuid>(k_each));
  std::vector<std::thread> threads;
  for (auto& ids : made)
    threads.emplace_back([&ids] {
      for (auto& id : ids) id = Uuid::random();
    });
  for (auto& thread : threads) thread.join();
  std::set<Uuid> all;
  for (const auto& ids : made) all.insert(ids.begin(), ids.end());
  CHECK(all.size() == static_cast<std::size_t>(k_threads * k_each));
}

TEST_CASE("uuid: parsing accepts only the canonical form") {
  CHECK(Uuid::parse("0190b8a2-7c1e-7abc-8def-0123456789ab"));
  CHECK_FALSE(Uuid::parse("0190b8a27c1e7abc8def0123456789ab"));
  CHECK_FALSE(Uuid::parse("{0190b8a2-7c1e-7abc-8def-0123456789ab}"));
  CHECK_FALSE(Uuid::parse("0190b8a2-7c1e-7abc-8def-0123456789ag"));
  CHECK_FALSE(Uuid::parse(""));
}
