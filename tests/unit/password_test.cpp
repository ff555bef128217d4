#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <functional>
#include <set>
#include <thread>

#include "core/email.hpp"
#include "core/offload.hpp"
#include "modules/auth/passwords.hpp"
#include "modules/auth/tokens.hpp"

using namespace payrollx;
using namespace payrollx::auth;

TEST_CASE("auth: password hash and verify round trip", "[unit]") {
  const auto hash = hash_password("correct horse battery staple");
  CHECK(hash.starts_with("$argon2id$"));
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(verify_password(hash, "correct horse battery staple"));
  // Salted: the same password never hashes the same twice.
  CHECK(hash_password("correct horse battery staple") != hash);
}

TEST_CASE("auth: password verify refuses a wrong password", "[unit]") {
  const auto hash = hash_password("correct horse battery staple");
  CHECK_FALSE(verify_password(hash, "correct horse battery stapler"));
  CHECK_FALSE(verify_password(hash, "Correct horse battery staple"));
  CHECK_FALSE(verify_password(hash, ""));
}

TEST_CASE("auth: password verify refuses hashes that are not of the password or unreadable",
          "[unit]") {
  // A well-formed bcrypt hash, of another password.
  CHECK_FALSE(verify_password("$2b$12$C6UzMDM.H6dfI/f/IKcEeO5jdW4m6u2Wq6PmQ7c9JZ7C9pXo6o5nS",
                              "legacy-password-1"));
  CHECK_FALSE(verify_password("", "anything at all"));
  CHECK_FALSE(verify_password("$argon2id$garbage", "anything at all"));
}

namespace {

// CPU time of this thread, not wall time: a loaded machine (CI, parallel tests) must not make
// one check look cheap.
std::chrono::nanoseconds cpu_time_of(const std::function<void()>& work) {
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  const auto start = cpu_now();
  work();
  return cpu_now() - start;
}

}  // namespace

TEST_CASE("auth: a failed check against nothing costs about as much as a real one", "[unit]") {
  const auto hash = hash_password("correct horse battery staple");
  verify_nothing("warm up the dummy hash");
  auto real = cpu_time_of([&] { (void)verify_password(hash, "wrong password here"); });
  auto dummy = cpu_time_of([&] { verify_nothing("wrong password here"); });
  // Both are one Argon2id computation with the same limits; far apart only if one skipped it.
  CHECK(dummy > real / 4);
  CHECK(real > dummy / 4);
}

TEST_CASE("auth: while bcrypt hashes remain, every kind of check costs both", "[unit]") {
  const Verification legacy{.legacy_hashes_remain = true};
  const auto argon = hash_password("correct horse battery staple");
  const std::string bcrypt = "$2b$12$RLe0i4V1B1eOXHZ/Wpfi.eOBeis3wfsF0S/B2AsGBJsMpkI7BWDEO";
  verify_nothing("warm up the dummy hashes", legacy);
  auto of_argon = cpu_time_of([&] { (void)verify_password(argon, "wrong password", legacy); });
  auto of_bcrypt = cpu_time_of([&] { (void)verify_password(bcrypt, "wrong password", legacy); });
  auto of_nothing = cpu_time_of([&] { verify_nothing("wrong password", legacy); });
  auto bcrypt_alone = cpu_time_of([&] { (void)verify_password(bcrypt, "wrong password"); });
  auto argon_alone = cpu_time_of([&] { (void)verify_password(argon, "wrong password"); });
  // An unknown email, an Argon2id account and an imported one: each one check of each kind,
  // so none is far from the others, and each costs more than either kind alone.
  const auto both = argon_alone + bcrypt_alone;
  for (auto spent : {of_argon, of_bcrypt, of_nothing}) {
    CHECK(spent > both / 2);
    CHECK(spent < both * 2);
  }
}

TEST_CASE("auth: tokens are 256-bit base64url and stored as a SHA-256 hex digest", "[unit]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto token = random_token();
    CHECK(token.size() == 43);
    CHECK(token.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
  // SHA-256("abc"), FIPS 180-2.
  CHECK(token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("auth: emails are lower-cased and format-checked", "[unit]") {
  CHECK(normalize_email("Ada.Lovelace@Example.COM") == "ada.lovelace@example.com");
  for (const char* good : {"a@b.co", "first.last+tag@sub.example.org", "x_y-z@xn--80ak6aa92e.com",
                           "o'brien@example.ie"})
    CHECK(is_valid_email(good));
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com",
                          ".a@b.com", "a.@b.com", "a..b@c.com", "a@-b.com", "a@b-.com", "a@b..com",
                          "a b@c.com", "a@b.123", "caf\xc3\xa9@example.com", "a@exa mple.com"})
    CHECK_FALSE(is_valid_email(bad));
  CHECK(is_valid_email(std::string(64, 'a') + "@example.com"));
  CHECK_FALSE(is_valid_email(std::string(65, 'a') + "@example.com"));
  CHECK_FALSE(is_valid_email("a@" + std::string(250, 'b') + ".com"));
}

TEST_CASE("auth: offload runs the work off the io thread and resumes on the caller's executor",
          "[unit]") {
  boost::asio::io_context io;
  auto io_thread = std::this_thread::get_id();
  std::thread::id work_thread;
  std::thread::id resumed_thread;
  auto run = [&]() -> boost::asio::awaitable<int> {
    int value = co_await payrollx::offload([&] {
      work_thread = std::this_thread::get_id();
      return 42;
    });
    resumed_thread = std::this_thread::get_id();
    co_return value;
  };
  auto result = boost::asio::co_spawn(io, run, boost::asio::use_future);
  io.run();
  CHECK(result.get() == 42);
  CHECK(work_thread != io_thread);
  CHECK(resumed_thread == io_thread);
}

TEST_CASE("auth: offload carries the work's exception back to the caller", "[unit]") {
  boost::asio::io_context io;
  auto run = []() -> boost::asio::awaitable<void> {
    co_await payrollx::offload([] { throw std::runtime_error("work failed"); });
  };
  auto result = boost::asio::co_spawn(io, run, boost::asio::use_future);
  io.run();
  CHECK_THROWS_WITH(result.get(), "work failed");
}

TEST_CASE("auth: imported bcrypt hashes verify, of every prefix, and need a rehash", "[unit]") {
  // 'legacy-password-1' at cost 12, as the legacy service made it (../shared/legacy).
  const std::string legacy = "$2b$12$RLe0i4V1B1eOXHZ/Wpfi.eOBeis3wfsF0S/B2AsGBJsMpkI7BWDEO";
  const Verification while_legacy_remain{.legacy_hashes_remain = true};
  CHECK(verify_password(legacy, "legacy-password-1"));
  CHECK(verify_password(legacy, "legacy-password-1", while_legacy_remain));
  CHECK_FALSE(verify_password(legacy, "legacy-password-2"));
  CHECK_FALSE(verify_password(legacy, std::string("legacy-password-1\0x", 19)));
  // $2a$ and $2y$ are the same algorithm for such a password.
  CHECK(verify_password("$2a$" + legacy.substr(4), "legacy-password-1"));
  CHECK(verify_password("$2y$" + legacy.substr(4), "legacy-password-1"));
  // A damaged hash never matches.
  CHECK_FALSE(verify_password(legacy.substr(0, 40), "legacy-password-1"));
  CHECK(needs_rehash(legacy));
  const auto argon = hash_password("legacy-password-1");
  CHECK_FALSE(needs_rehash(argon));
  CHECK(verify_password(argon, "legacy-password-1", while_legacy_remain));
  CHECK_FALSE(verify_password(argon, "legacy-password-2", while_legacy_remain));
}
