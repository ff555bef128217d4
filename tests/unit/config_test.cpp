#include "core/config.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace {

using payrollx::Config;
using payrollx::ConfigError;
using payrollx::load_config;

const std::string k_secret = "0123456789abcdef0123456789abcdef-test";  // 37 bytes

using Env = std::map<std::string, std::string>;

payrollx::EnvLookup lookup(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Env minimal_env() {
  return {{"PAYROLLX_DATABASE_URL", "postgresql://app@127.0.0.1:5432/payrollx"},
          {"PAYROLLX_JWT_SECRET", k_secret}};
}

Config load_env(const Env& env, bool dev = false) {
  return load_config(std::nullopt, dev, lookup(env));
}

// A config file in the temporary folder, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("payrollx-config-test-" + std::to_string(::getpid()) + "-" +
             std::to_string(++counter) + ".json");
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The ConfigError message of loading, or "" when it loaded.
std::string error_of(const std::optional<std::string>& file, const Env& env, bool dev = false) {
  try {
    load_config(file, dev, lookup(env));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string example_file() {
  auto path = std::filesystem::path(__FILE__).parent_path() / "../../config/payrollx.example.json";
  return std::filesystem::weakly_canonical(path).string();
}

struct KeySpelling {
  const char* path;
  const char* env;
};

// Every setting, in both spellings.
const std::vector<KeySpelling> k_keys = {
    {"database.url", "PAYROLLX_DATABASE_URL"},
    {"database.migrateUrl", "PAYROLLX_MIGRATE_DATABASE_URL"},
    {"database.runtimeRole", "PAYROLLX_DB_RUNTIME_ROLE"},
    {"database.poolSize", "PAYROLLX_DB_POOL_SIZE"},
    {"database.connectTimeoutMs", "PAYROLLX_DB_CONNECT_TIMEOUT_MS"},
    {"database.statementTimeoutMs", "PAYROLLX_DB_STATEMENT_TIMEOUT_MS"},
    {"database.acquireTimeoutMs", "PAYROLLX_DB_ACQUIRE_TIMEOUT_MS"},
    {"database.slowQueryMs", "PAYROLLX_DB_SLOW_QUERY_MS"},
    {"database.migrateOnStart", "PAYROLLX_MIGRATE_ON_START"},
    {"server.listen", "PAYROLLX_LISTEN"},
    {"server.threads", "PAYROLLX_THREADS"},
    {"server.bodyLimitBytes", "PAYROLLX_BODY_LIMIT_BYTES"},
    {"server.documentBodyLimitBytes", "PAYROLLX_DOCUMENT_BODY_LIMIT_BYTES"},
    {"server.readTimeoutMs", "PAYROLLX_READ_TIMEOUT_MS"},
    {"server.idleTimeoutMs", "PAYROLLX_IDLE_TIMEOUT_MS"},
    {"server.shutdownTimeoutMs", "PAYROLLX_SHUTDOWN_TIMEOUT_MS"},
    {"server.trustedProxies", "PAYROLLX_TRUSTED_PROXIES"},
    {"auth.jwtSecret", "PAYROLLX_JWT_SECRET"},
    {"auth.accessTokenTtlSeconds", "PAYROLLX_ACCESS_TOKEN_TTL_SECONDS"},
    {"auth.refreshTokenTtlSeconds", "PAYROLLX_REFRESH_TOKEN_TTL_SECONDS"},
    {"auth.invitationTtlSeconds", "PAYROLLX_INVITATION_TTL_SECONDS"},
    {"auth.rateLimitPerMinute", "PAYROLLX_AUTH_RATE_LIMIT"},
    {"auth.lockoutThreshold", "PAYROLLX_LOCKOUT_THRESHOLD"},
    {"auth.lockoutSeconds", "PAYROLLX_LOCKOUT_SECONDS"},
    {"log.level", "PAYROLLX_LOG_LEVEL"},
    {"log.format", "PAYROLLX_LOG_FORMAT"},
    {"smtp.url", "PAYROLLX_SMTP_URL"},
    {"smtp.from", "PAYROLLX_SMTP_FROM"},
    {"outbox.backoffMs", "PAYROLLX_OUTBOX_BACKOFF_MS"},
    {"outbox.maxAttempts", "PAYROLLX_OUTBOX_MAX_ATTEMPTS"},
    {"webhooks.allowPrivate", "PAYROLLX_WEBHOOK_ALLOW_PRIVATE"},
};

}  // namespace

TEST_CASE("config: defaults with only the required values") {
  auto config = load_env(minimal_env());
  CHECK(config.database_url == "postgresql://app@127.0.0.1:5432/payrollx");
  CHECK(config.migrate_database_url == config.database_url);
  CHECK(config.jwt_secret == k_secret);
  CHECK_FALSE(config.jwt_secret_generated);
  CHECK(config.listen_host == "127.0.0.1");
  CHECK(config.listen_port == 8080);
  CHECK(config.db_pool_size == 16);
  CHECK(config.threads == int(std::max(1u, std::thread::hardware_concurrency())));
  CHECK(config.log_level == "info");
  CHECK(config.log_format == "json");
  CHECK(config.migrate_on_start);
  CHECK(config.smtp_url.empty());
}

TEST_CASE("config: the file sets values and the environment overrides them") {
  TempFile file(R"({
    "database": {"url": "postgresql://file@127.0.0.1/db", "poolSize": 4, "migrateOnStart": false,
                 "runtimeRole": "payrollx_app", "acquireTimeoutMs": 1500},
    "server": {"listen": "0.0.0.0:9000", "threads": 3, "bodyLimitBytes": 2048},
    "auth": {"jwtSecret": "a-file-secret-that-is-long-enough-to-pass", "lockoutThreshold": 7},
    "log": {"level": "debug", "format": "text"},
    "smtp": {"url": "smtp://relay.example:25"}
  })");

  auto from_file = load_config(file.path(), false, lookup({}));
  CHECK(from_file.database_url == "postgresql://file@127.0.0.1/db");
  CHECK(from_file.db_pool_size == 4);
  CHECK_FALSE(from_file.migrate_on_start);
  CHECK(from_file.runtime_role == "payrollx_app");
  CHECK(from_file.db_acquire_timeout == std::chrono::milliseconds(1500));
  CHECK(from_file.listen_host == "0.0.0.0");
  CHECK(from_file.listen_port == 9000);
  CHECK(from_file.threads == 3);
  CHECK(from_file.body_limit == 2048);
  CHECK(from_file.jwt_secret == "a-file-secret-that-is-long-enough-to-pass");
  CHECK(from_file.lockout_threshold == 7);
  CHECK(from_file.log_level == "debug");
  CHECK(from_file.log_format == "text");
  CHECK(from_file.smtp_url == "smtp://relay.example:25");

  Env env{{"PAYROLLX_DATABASE_URL", "postgresql://env@127.0.0.1/db"},
          {"PAYROLLX_MIGRATE_DATABASE_URL", "postgresql://owner@127.0.0.1/db"},
          {"PAYROLLX_DB_POOL_SIZE", "9"},
          {"PAYROLLX_MIGRATE_ON_START", "true"},
          {"PAYROLLX_LISTEN", "[::1]:0"},
          {"PAYROLLX_LOG_LEVEL", "warn"},
          {"PAYROLLX_ACCESS_TOKEN_TTL_SECONDS", "60"}};
  auto merged = load_config(file.path(), false, lookup(env));
  CHECK(merged.database_url == "postgresql://env@127.0.0.1/db");
  CHECK(merged.migrate_database_url == "postgresql://owner@127.0.0.1/db");
  CHECK(merged.db_pool_size == 9);
  CHECK(merged.migrate_on_start);
  CHECK(merged.listen_host == "::1");
  CHECK(merged.listen_port == 0);
  CHECK(merged.log_level == "warn");
  CHECK(merged.access_token_ttl == std::chrono::seconds(60));
  // Keys the environment did not set keep the file's values.
  CHECK(merged.threads == 3);
  CHECK(merged.log_format == "text");
}

TEST_CASE("config: every bad environment value names its key") {
  struct Bad {
    const char* env;
    const char* value;
    const char* path;
  };
  const std::vector<Bad> cases = {
      {"PAYROLLX_DB_POOL_SIZE", "0", "database.poolSize"},
      {"PAYROLLX_DB_POOL_SIZE", "abc", "database.poolSize"},
      {"PAYROLLX_DB_CONNECT_TIMEOUT_MS", "-1", "database.connectTimeoutMs"},
      {"PAYROLLX_DB_STATEMENT_TIMEOUT_MS", "10s", "database.statementTimeoutMs"},
      {"PAYROLLX_DB_ACQUIRE_TIMEOUT_MS", "0", "database.acquireTimeoutMs"},
      {"PAYROLLX_DB_SLOW_QUERY_MS", "-5", "database.slowQueryMs"},
      {"PAYROLLX_DB_RUNTIME_ROLE", "app; DROP TABLE x", "database.runtimeRole"},
      {"PAYROLLX_MIGRATE_ON_START", "maybe", "database.migrateOnStart"},
      {"PAYROLLX_LISTEN", "localhost:8080", "server.listen"},
      {"PAYROLLX_THREADS", "2000", "server.threads"},
      {"PAYROLLX_BODY_LIMIT_BYTES", "0", "server.bodyLimitBytes"},
      {"PAYROLLX_DOCUMENT_BODY_LIMIT_BYTES", "1e6", "server.documentBodyLimitBytes"},
      {"PAYROLLX_READ_TIMEOUT_MS", "", "server.readTimeoutMs"},
      {"PAYROLLX_IDLE_TIMEOUT_MS", "0", "server.idleTimeoutMs"},
      {"PAYROLLX_SHUTDOWN_TIMEOUT_MS", "99999999999", "server.shutdownTimeoutMs"},
      {"PAYROLLX_TRUSTED_PROXIES", "10.0.0.0/33", "server.trustedProxies"},
      {"PAYROLLX_TRUSTED_PROXIES", "proxy.internal", "server.trustedProxies"},
      {"PAYROLLX_JWT_SECRET", "short", "auth.jwtSecret"},
      {"PAYROLLX_ACCESS_TOKEN_TTL_SECONDS", "0", "auth.accessTokenTtlSeconds"},
      {"PAYROLLX_REFRESH_TOKEN_TTL_SECONDS", "x", "auth.refreshTokenTtlSeconds"},
      {"PAYROLLX_INVITATION_TTL_SECONDS", "-1", "auth.invitationTtlSeconds"},
      {"PAYROLLX_AUTH_RATE_LIMIT", "0", "auth.rateLimitPerMinute"},
      {"PAYROLLX_LOCKOUT_THRESHOLD", "0", "auth.lockoutThreshold"},
      {"PAYROLLX_LOCKOUT_SECONDS", "soon", "auth.lockoutSeconds"},
      {"PAYROLLX_LOG_LEVEL", "verbose", "log.level"},
      {"PAYROLLX_LOG_FORMAT", "xml", "log.format"},
      {"PAYROLLX_SMTP_URL", "http://mail.example", "smtp.url"},
      {"PAYROLLX_SMTP_FROM", "not an address", "smtp.from"},
      {"PAYROLLX_OUTBOX_BACKOFF_MS", "0", "outbox.backoffMs"},
      {"PAYROLLX_OUTBOX_MAX_ATTEMPTS", "1000", "outbox.maxAttempts"},
      {"PAYROLLX_WEBHOOK_ALLOW_PRIVATE", "sometimes", "webhooks.allowPrivate"},
      {"PAYROLLX_DATABASE_URL", "", "database.url"},
  };
  for (const auto& bad : cases) {
    auto env = minimal_env();
    env[bad.env] = bad.value;
    auto message = error_of(std::nullopt, env);
    INFO(bad.env << "=" << bad.value << " -> " << message);
    CHECK_THAT(message, Catch::Contains(bad.path) && Catch::Contains(bad.env));
    // A value is never echoed: some are secrets.
    if (std::string_view(bad.value).size() > 2) CHECK_THAT(message, !Catch::Contains(bad.value));
  }
}

TEST_CASE("config: a wrongly typed file value names its key") {
  TempFile file(R"({"database": {"poolSize": "8"}})");
  auto message = error_of(file.path(), minimal_env());
  CHECK_THAT(message,
             Catch::Contains("database.poolSize") && Catch::Contains("PAYROLLX_DB_POOL_SIZE"));

  TempFile flag(R"({"database": {"migrateOnStart": "yes"}})");
  CHECK_THAT(error_of(flag.path(), minimal_env()), Catch::Contains("database.migrateOnStart"));

  TempFile fraction(R"({"server": {"threads": 1.5}})");
  CHECK_THAT(error_of(fraction.path(), minimal_env()), Catch::Contains("server.threads"));
}

TEST_CASE("config: the database url is required") {
  auto message = error_of(std::nullopt, {{"PAYROLLX_JWT_SECRET", k_secret}});
  CHECK_THAT(message, Catch::Contains("PAYROLLX_DATABASE_URL") && Catch::Contains("required"));
}

TEST_CASE("config: jwt secret rules") {
  Env no_secret{{"PAYROLLX_DATABASE_URL", "postgresql://app@127.0.0.1/db"}};

  SECTION("missing outside dev is refused") {
    CHECK_THAT(error_of(std::nullopt, no_secret), Catch::Contains("PAYROLLX_JWT_SECRET"));
  }
  SECTION("31 bytes are refused, 32 accepted") {
    auto env = no_secret;
    env["PAYROLLX_JWT_SECRET"] = std::string(31, 'x');
    CHECK_THAT(error_of(std::nullopt, env),
               Catch::Contains("PAYROLLX_JWT_SECRET") && Catch::Contains("32 bytes"));
    env["PAYROLLX_JWT_SECRET"] = std::string(32, 'x');
    CHECK(load_env(env).jwt_secret == std::string(32, 'x'));
  }
  SECTION("dev without a secret gets a random one per start") {
    auto first = load_env(no_secret, true);
    auto second = load_env(no_secret, true);
    CHECK(first.dev);
    CHECK(first.jwt_secret_generated);
    CHECK(first.jwt_secret.size() >= 32);
    CHECK(first.jwt_secret != second.jwt_secret);
  }
  SECTION("dev keeps a given secret, even a short one") {
    auto env = no_secret;
    env["PAYROLLX_JWT_SECRET"] = "short";
    auto config = load_env(env, true);
    CHECK(config.jwt_secret == "short");
    CHECK_FALSE(config.jwt_secret_generated);
  }
}

TEST_CASE("config: listen address parsing") {
  struct Good {
    const char* text;
    const char* host;
    std::uint16_t port;
  };
  for (const auto& good : std::vector<Good>{{"127.0.0.1:8080", "127.0.0.1", 8080},
                                            {"0.0.0.0:0", "0.0.0.0", 0},
                                            {"[::1]:9000", "::1", 9000},
                                            {"[::]:65535", "::", 65535}}) {
    auto env = minimal_env();
    env["PAYROLLX_LISTEN"] = good.text;
    auto config = load_env(env);
    INFO(good.text);
    CHECK(config.listen_host == good.host);
    CHECK(config.listen_port == good.port);
  }
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:65536", "127.0.0.1:x",
                          "127.0.0.1:-1", "example.com:80", "::1:80", "256.1.1.1:80"}) {
    auto env = minimal_env();
    env["PAYROLLX_LISTEN"] = bad;
    INFO(bad);
    CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("server.listen"));
  }
}

TEST_CASE("config: unknown file keys are rejected, underscore keys ignored") {
  TempFile unknown_key(R"({"database": {"url": "postgresql://x@127.0.0.1/db", "poolsize": 3}})");
  CHECK_THAT(error_of(unknown_key.path(), minimal_env()),
             Catch::Contains("unknown key") && Catch::Contains("database.poolsize"));

  TempFile unknown_section(R"({"datbase": {}})");
  CHECK_THAT(error_of(unknown_section.path(), minimal_env()),
             Catch::Contains("unknown key") && Catch::Contains("datbase"));

  TempFile not_an_object(R"({"server": 8080})");
  CHECK_THAT(error_of(not_an_object.path(), minimal_env()), Catch::Contains("server"));

  TempFile documented(R"({
    "_comment": "top", "_doc": {"anything": [1, 2]},
    "server": {"_comment": "the listener", "_note": {"x": 1}, "threads": 2}
  })");
  CHECK(load_config(documented.path(), false, lookup(minimal_env())).threads == 2);
}

TEST_CASE("config: unreadable or malformed files are reported") {
  CHECK_THAT(error_of("/nonexistent/payrollx.json", minimal_env()),
             Catch::Contains("/nonexistent/payrollx.json"));
  TempFile malformed("{\"server\": ");
  CHECK_THAT(error_of(malformed.path(), minimal_env()), Catch::Contains("not valid JSON"));
  TempFile array("[1, 2]");
  CHECK_THAT(error_of(array.path(), minimal_env()), Catch::Contains("JSON object"));
}

TEST_CASE("config: the example file loads and documents every key") {
  std::ifstream in(example_file());
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& key : k_keys) {
    INFO(key.env);
    CHECK_THAT(text.str(), Catch::Contains(key.env));
  }

  auto config = load_config(example_file(), false, lookup({{"PAYROLLX_JWT_SECRET", k_secret}}));
  Config defaults;
  CHECK(config.database_url == "postgresql://payrollx_app@127.0.0.1:5432/payrollx");
  CHECK(config.migrate_database_url == config.database_url);
  CHECK(config.db_pool_size == defaults.db_pool_size);
  CHECK(config.db_statement_timeout == defaults.db_statement_timeout);
  CHECK(config.listen_port == defaults.listen_port);
  CHECK(config.body_limit == defaults.body_limit);
  CHECK(config.refresh_token_ttl == defaults.refresh_token_ttl);
  CHECK(config.log_format == defaults.log_format);
}

TEST_CASE("config: a transaction pooler needs a direct migrate URL, where LISTEN goes too") {
  auto env = minimal_env();
  env["PAYROLLX_DB_TRANSACTION_POOLING"] = "true";
  CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("PAYROLLX_MIGRATE_DATABASE_URL") &&
                                              Catch::Contains("PAYROLLX_DB_TRANSACTION_POOLING"));

  env["PAYROLLX_MIGRATE_DATABASE_URL"] = "postgresql://owner@127.0.0.1:5432/payrollx";
  auto pooled = load_env(env);
  CHECK(pooled.db_transaction_pooling);
  CHECK(payrollx::listen_url(pooled) == "postgresql://owner@127.0.0.1:5432/payrollx");
  env["PAYROLLX_DB_LISTEN_URL"] = "postgresql://listener@127.0.0.1:5432/payrollx";
  CHECK(payrollx::listen_url(load_env(env)) == "postgresql://listener@127.0.0.1:5432/payrollx");

  auto direct = load_env(minimal_env());
  CHECK_FALSE(direct.db_transaction_pooling);
  CHECK(payrollx::listen_url(direct) == direct.database_url);
}

TEST_CASE("config: the Solana adapter takes its URL and keypair together") {
  auto env = minimal_env();
  env["PAYROLLX_SOLANA_RPC_URL"] = "https://api.mainnet-beta.solana.com";
  CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("PAYROLLX_SOLANA_KEYPAIR_FILE"));
  env["PAYROLLX_SOLANA_KEYPAIR_FILE"] = "/etc/payrollx/custody.json";
  auto config = load_env(env);
  CHECK(config.solana_commitment == "finalized");
  CHECK(config.solana_usdc_mint == "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
  env["PAYROLLX_SOLANA_COMMITMENT"] = "processed";
  CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("PAYROLLX_SOLANA_COMMITMENT"));
  env["PAYROLLX_SOLANA_COMMITMENT"] = "confirmed";
  env["PAYROLLX_SOLANA_USDC_MINT"] = "not-a-mint";
  CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("PAYROLLX_SOLANA_USDC_MINT"));
  env["PAYROLLX_SOLANA_USDC_MINT"] = "Gh9ZwEmdLJ8DscKNTkTqPbNwLNNBjuSzaG9Vp2KGtKJr";
  env["PAYROLLX_SOLANA_RPC_URL"] = "ftp://node";
  CHECK_THAT(error_of(std::nullopt, env), Catch::Contains("PAYROLLX_SOLANA_RPC_URL"));
}
