// Faults the process must survive: SIGTERM during a request, PostgreSQL going away and coming
// back, and its connections being killed.
#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "eventually.hpp"
#include "test_app.hpp"

using namespace payrollx::test;
using namespace std::chrono_literals;

namespace {

// A PostgreSQL cluster of this test alone (scripts/test-postgres), so halting it disturbs no
// other test. Removed at the end.
class PrivateCluster {
 public:
  PrivateCluster() {
    std::string dir = (std::filesystem::temp_directory_path() / "payrollx-e2e-pg-XXXXXX").string();
    REQUIRE(::mkdtemp(dir.data()));
    dir_ = dir;
    REQUIRE(script("start") == 0);
    std::ifstream url_file(dir_ / "url");
    REQUIRE(std::getline(url_file, url_));
  }
  ~PrivateCluster() { script("stop"); }
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  void halt() { REQUIRE(script("halt") == 0); }
  void resume() { REQUIRE(script("resume") == 0); }

  // An empty database: the server migrates it when it starts.
  std::string create_database(const std::string& name) {
    Sql(url_).exec("CREATE DATABASE " + name);
    return with_database(url_, name);
  }

 private:
  int script(std::string_view action) const {
    auto path = std::filesystem::path(__FILE__).parent_path() / "../../scripts/test-postgres";
    return std::system(fmt::format("'{}' {} '{}'", path.string(), action, dir_.string()).c_str());
  }

  std::filesystem::path dir_;
  std::string url_;
};

boost::json::object signup_body(const std::string& who) {
  return {{"email", fmt::format("{}@example.com", who)},
          {"password", "correct horse battery staple"},
          {"firstName", "Fault"},
          {"lastName", "Tester"},
          {"organizationName", fmt::format("{} Ltd", who)}};
}

}  // namespace

TEST_CASE("platform: SIGTERM lets an in-flight request finish, then the process exits 0") {
  TestApp app("platform_sigterm");
  auto admin = app.signup("sigterm");

  // Declared before the lock holder: if the test fails, the lock is released (the connection
  // closes) before this future waits for its response.
  std::future<HttpResponse> patch;
  Sql locker(app.database_url());
  locker.exec("BEGIN");
  locker.exec("SELECT id FROM organization.organizations WHERE id = $1 FOR UPDATE",
              {admin.organization_id});

  auto port = app.server().port();
  auto token = admin.access_token;
  patch = std::async(std::launch::async, [port, token] {
    return HttpClient(port).patch("/api/v1/organization", {{"name", "Renamed During Shutdown"}},
                                  token);
  });
  // The request is in flight once the server's transaction waits for our lock on the
  // organisation. Its statement, not any: the audit sealer's first seal of the signup's entries
  // (the chain head's foreign key) may wait for the same lock.
  REQUIRE(eventually(
      [&] {
        return app.sql().count(
                   "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                   "AND application_name = 'payrollx' AND wait_event_type = 'Lock'"
                   " AND query LIKE '%FROM organization.organizations%'") > 0;
      },
      10s));

  REQUIRE(::kill(app.server().pid(), SIGTERM) == 0);
  std::this_thread::sleep_for(500ms);
  CHECK(app.server().running());
  CHECK(patch.wait_for(0s) == std::future_status::timeout);

  locker.exec("COMMIT");
  auto response = patch.get();
  INFO(response.body);
  CHECK(response.status == 200);
  CHECK(app.sql().scalar("SELECT name FROM organization.organizations WHERE id = $1",
                         {admin.organization_id}) == "Renamed During Shutdown");
  CHECK(app.server().stop() == 0);
}

TEST_CASE("platform: SIGTERMs repeated all through the shutdown still end with exit 0") {
  TestApp app("repeated_sigterm");
  const auto pid = app.server().pid();
  // A supervisor that insists: SIGTERM every 2 ms, through the shutdown and the teardown after
  // it, until the process is gone.
  std::atomic<bool> done = false;
  std::thread insisting([&] {
    while (!done && ::kill(pid, SIGTERM) == 0) std::this_thread::sleep_for(2ms);
  });
  const int code = app.server().stop();
  done = true;
  insisting.join();
  CHECK(code == 0);
}

TEST_CASE("platform: the server rides out a PostgreSQL restart") {
  PrivateCluster cluster;
  ServerProcess server({.database_url = cluster.create_database("platform_restart"),
                        .env = {{"PAYROLLX_DB_CONNECT_TIMEOUT_MS", "2000"},
                                {"PAYROLLX_DB_ACQUIRE_TIMEOUT_MS", "2000"}},
                        .args = {}});
  HttpClient http(server.port());
  auto signed_up = http.post("/api/v1/auth/signup", signup_body("restart-before"));
  INFO(signed_up.body);
  REQUIRE(signed_up.status == 201);
  auto token = std::string(signed_up.json().at("accessToken").as_string());
  REQUIRE(http.get("/health/ready").status == 200);

  cluster.halt();
  CHECK(eventually([&] { return http.get("/health/ready").status == 503; }, 15s));
  auto started = std::chrono::steady_clock::now();
  auto during = http.get("/api/v1/organization", token);
  INFO(during.body);
  CHECK(during.status == 503);
  CHECK(during.json().at("code") == "service_unavailable");
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(server.running());

  cluster.resume();
  CHECK(eventually([&] { return http.get("/health/ready").status == 200; }, 30s));
  CHECK(http.get("/api/v1/organization", token).status == 200);
  CHECK(http.post("/api/v1/auth/signup", signup_body("restart-after")).status == 201);
  CHECK(server.stop() == 0);
}

TEST_CASE("platform: requests succeed right after the pool's connections are terminated") {
  TestApp app("platform_terminate");
  auto admin = app.signup("terminate");
  REQUIRE(app.http().get("/api/v1/auth/me", admin.access_token).status == 200);

  // The filter runs before the select list, so only this server's connections are terminated.
  auto terminated = app.sql().count(
      "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity "
      "WHERE datname = current_database() AND application_name = 'payrollx' "
      "AND pid <> pg_backend_pid()) AS terminated WHERE done");
  REQUIRE(terminated > 0);

  auto me = app.http().get("/api/v1/auth/me", admin.access_token);
  INFO(me.body);
  CHECK(me.status == 200);
  app.signup("terminate-after");
  CHECK(app.http().get("/api/v1/organization", admin.access_token).status == 200);
}
