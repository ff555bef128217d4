// The binary as an operator meets it: the command line, configuration errors, migrations, start-up
// failures, and a server without a database.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <latch>
#include <set>
#include <sstream>
#include <thread>

#include "core/db/migrations.hpp"
#include "test_app.hpp"

using namespace payrollx::test;

namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

const std::string k_jwt_secret = "platform-startup-test-secret-0123456789";

// A TCP port on 127.0.0.1 held for the test: bound only, connections to it are refused (a
// database that does not accept connections); listening, nobody else can bind it.
class HeldPort {
 public:
  explicit HeldPort(bool listening) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    if (listening) REQUIRE(::listen(fd_, 1) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~HeldPort() { ::close(fd_); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  std::uint16_t port() const { return port_; }
  std::string database_url() const {
    return fmt::format("postgresql://postgres@127.0.0.1:{}/postgres", port_);
  }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

// The JSON log lines of `output` whose event is `event`.
std::vector<boost::json::object> events(const std::string& output, std::string_view event) {
  std::vector<boost::json::object> found;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    if (ec || !value.is_object()) continue;
    const auto* name = value.as_object().if_contains("event");
    if (name && name->is_string() && name->get_string() == event)
      found.push_back(value.as_object());
  }
  return found;
}

// How many migrations the log says were applied (sum over its migrations.applied lines).
std::int64_t applied_count(const std::string& output) {
  std::int64_t total = 0;
  for (const auto& line : events(output, "migrations.applied"))
    total += line.at("count").to_number<std::int64_t>();
  return total;
}

std::set<std::string> embedded_ids() {
  std::set<std::string> ids;
  for (const auto& migration : payrollx::db::embedded_migrations()) ids.insert(migration.id());
  return ids;
}

}  // namespace

TEST_CASE("platform: --help and --version exit 0") {
  auto help = run_payrollx({"--help"}, {});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Catch::Contains("payrollx serve") &&
                              Catch::Contains("payrollx migrate") &&
                              Catch::Contains("PAYROLLX_DATABASE_URL") &&
                              Catch::Contains("PAYROLLX_JWT_SECRET"));

  auto version = run_payrollx({"--version"}, {});
  CHECK(version.exit_code == 0);
  CHECK(version.output == fmt::format("payrollx {}\n", PAYROLLX_VERSION));
}

TEST_CASE("platform: an unknown command or option prints the usage and exits 2") {
  const std::vector<std::vector<std::string>> bad_command_lines = {
      {},
      {"frobnicate"},
      {"serve", "--bogus"},
      {"migrate", "--dev"},
      {"serve", "--config"},
      {"create-super-admin", "--email", "a@example.com"}};
  for (const auto& args : bad_command_lines) {
    auto result = run_payrollx(args, {});
    INFO(fmt::format("payrollx {}: {}", fmt::join(args, " "), result.output));
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.output, Catch::Contains("Usage:"));
  }
}

TEST_CASE("platform: a configuration error exits 2 with one line naming the key") {
  const std::string url = "postgresql://postgres@127.0.0.1:1/postgres";
  struct Bad {
    Env env;
    std::vector<std::string> args;
    std::string key;
  };
  const std::vector<Bad> cases = {
      {{{"PAYROLLX_DATABASE_URL", url}, {"PAYROLLX_JWT_SECRET", "short"}},
       {"serve"},
       "PAYROLLX_JWT_SECRET"},
      {{{"PAYROLLX_DATABASE_URL", url}}, {"serve"}, "PAYROLLX_JWT_SECRET"},
      {{{"PAYROLLX_JWT_SECRET", k_jwt_secret}}, {"serve"}, "PAYROLLX_DATABASE_URL"},
      {{{"PAYROLLX_DATABASE_URL", url},
        {"PAYROLLX_JWT_SECRET", k_jwt_secret},
        {"PAYROLLX_DB_POOL_SIZE", "0"}},
       {"serve"},
       "PAYROLLX_DB_POOL_SIZE"},
      {{{"PAYROLLX_DATABASE_URL", url}, {"PAYROLLX_LISTEN", "localhost"}},
       {"migrate"},
       "PAYROLLX_LISTEN"},
      {{{"PAYROLLX_DATABASE_URL", url}, {"PAYROLLX_JWT_SECRET", k_jwt_secret}},
       {"serve", "--config", "/nonexistent/payrollx.json"},
       "/nonexistent/payrollx.json"},
  };
  for (const auto& bad : cases) {
    auto result = run_payrollx(bad.args, bad.env);
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.starts_with("payrollx: configuration: "));
    CHECK_THAT(result.output, Catch::Contains(bad.key));
    CHECK(std::count(result.output.begin(), result.output.end(), '\n') == 1);
  }
}

TEST_CASE("platform: migrate applies everything once, then nothing, without a JWT secret") {
  Env env{{"PAYROLLX_DATABASE_URL", empty_database("migrate_twice")}};

  auto first = run_payrollx({"migrate"}, env);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(applied_count(first.output) == std::int64_t(embedded_ids().size()));

  auto second = run_payrollx({"migrate"}, env);
  INFO(second.output);
  CHECK(second.exit_code == 0);
  REQUIRE(events(second.output, "migrations.applied").size() == 1);
  CHECK(applied_count(second.output) == 0);

  auto status = run_payrollx({"migrate", "--status"}, env);
  INFO(status.output);
  CHECK(status.exit_code == 0);
  std::istringstream lines(status.output);
  std::set<std::string> listed_applied;
  for (std::string state, id; lines >> state >> id; lines.ignore(1 << 16, '\n')) {
    if (state == "applied") listed_applied.insert(id);
  }
  CHECK(listed_applied == embedded_ids());
}

TEST_CASE("platform: a failed migration or a taken address exits 1 with an error line") {
  HeldPort no_database(false);
  auto migrate = run_payrollx({"migrate"}, {{"PAYROLLX_DATABASE_URL", no_database.database_url()}});
  INFO(migrate.output);
  CHECK(migrate.exit_code == 1);
  CHECK(events(migrate.output, "migrations.failed").size() == 1);

  auto serve = run_payrollx({"serve"}, {{"PAYROLLX_DATABASE_URL", no_database.database_url()},
                                        {"PAYROLLX_JWT_SECRET", k_jwt_secret},
                                        {"PAYROLLX_LISTEN", "127.0.0.1:0"}});
  INFO(serve.output);
  CHECK(serve.exit_code == 1);
  CHECK(events(serve.output, "migrations.failed").size() == 1);
  CHECK(events(serve.output, "server.listening").empty());

  HeldPort taken(true);
  auto bind = run_payrollx({"serve", "--no-migrate"},
                           {{"PAYROLLX_DATABASE_URL", fresh_database("platform_bind")},
                            {"PAYROLLX_JWT_SECRET", k_jwt_secret},
                            {"PAYROLLX_LISTEN", fmt::format("127.0.0.1:{}", taken.port())}});
  INFO(bind.output);
  CHECK(bind.exit_code == 1);
  CHECK(events(bind.output, "server.start_failed").size() == 1);
}

TEST_CASE("platform: without a reachable database the server lives, is not ready, answers 503") {
  HeldPort no_database(false);
  ServerProcess server({.database_url = no_database.database_url(),
                        .env = {{"PAYROLLX_DB_CONNECT_TIMEOUT_MS", "2000"},
                                {"PAYROLLX_DB_ACQUIRE_TIMEOUT_MS", "2000"}},
                        .args = {"--no-migrate"}});
  HttpClient http(server.port());

  CHECK(http.get("/health/live").status == 200);
  auto ready = http.get("/health/ready");
  INFO(ready.body);
  CHECK(ready.status == 503);
  CHECK(ready.json().at("status") != "ok");

  boost::json::object signup{{"email", "nodb@example.com"},
                             {"password", "correct horse battery staple"},
                             {"firstName", "No"},
                             {"lastName", "Database"},
                             {"organizationName", "No Database Ltd"}};
  auto answer = http.post("/api/v1/auth/signup", signup);
  INFO(answer.body);
  CHECK(answer.status == 503);
  CHECK(answer.json().at("code") == "service_unavailable");

  CHECK(http.get("/health/live").status == 200);
  CHECK(server.running());
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("platform: two servers starting together on an empty database migrate it once") {
  auto url = empty_database("two_servers");
  struct Start {
    std::unique_ptr<ServerProcess> server;
    std::string error;
  };
  std::array<Start, 2> starts;
  std::latch started(2);
  std::latch finished(1);
  {
    // Each server is started, kept and stopped by its own thread: a server dies with the thread
    // that forked it (PR_SET_PDEATHSIG).
    std::vector<std::jthread> threads;
    for (auto& start : starts) {
      threads.emplace_back([&] {
        try {
          start.server = std::make_unique<ServerProcess>(
              ServerSettings{.database_url = url, .env = {}, .args = {}});
        } catch (const std::exception& e) {
          start.error = e.what();
        }
        started.count_down();
        finished.wait();
        start.server.reset();
      });
    }
    struct Release {
      std::latch& latch;
      ~Release() { latch.count_down(); }
    } release{finished};
    started.wait();

    for (auto& start : starts) {
      INFO(start.error);
      REQUIRE(start.server);
      CHECK(HttpClient(start.server->port()).get("/health/ready").status == 200);
    }
    CHECK(applied_count(starts[0].server->output()) + applied_count(starts[1].server->output()) ==
          std::int64_t(embedded_ids().size()));
  }

  Sql sql(url);
  CHECK(sql.count("SELECT count(*) FROM core.schema_migrations") ==
        std::int64_t(embedded_ids().size()));
  std::set<std::string> recorded;
  for (const auto& row : sql.rows("SELECT id FROM core.schema_migrations"))
    recorded.insert(*row[0]);
  CHECK(recorded == embedded_ids());
}

TEST_CASE("platform: create-super-admin makes a SUPER_ADMIN who can log in") {
  TestApp app("platform_super_admin");
  const std::string email = "operator-one@example.com";
  const std::string password = "an operator's long password";
  const std::vector<std::string> args = {
      "create-super-admin", "--email", email, "--first-name", "Ada", "--last-name", "Operator"};
  Env env{{"PAYROLLX_DATABASE_URL", app.database_url()},
          {"PAYROLLX_SUPER_ADMIN_PASSWORD", password}};

  auto created = run_payrollx(args, env);
  INFO(created.output);
  REQUIRE(created.exit_code == 0);

  auto login = app.http().post("/api/v1/auth/login", {{"email", email}, {"password", password}});
  INFO(login.body);
  REQUIRE(login.status == 200);
  CHECK(login.json().at("user").at("role") == "SUPER_ADMIN");
  auto token = std::string(login.json().at("accessToken").as_string());
  CHECK(app.http().get("/api/v1/admin/organizations", token).status == 200);

  auto again = run_payrollx(args, env);
  INFO(again.output);
  CHECK(again.exit_code == 1);

  auto without_password = run_payrollx(args, {{"PAYROLLX_DATABASE_URL", app.database_url()}});
  INFO(without_password.output);
  CHECK(without_password.exit_code == 2);
  CHECK_THAT(without_password.output, Catch::Contains("PAYROLLX_SUPER_ADMIN_PASSWORD"));
}
