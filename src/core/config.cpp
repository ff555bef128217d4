#include "core/config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base58.hpp"
#include "core/http/client_address.hpp"
#include "core/log.hpp"

namespace payrollx {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::size_t k_min_jwt_secret_bytes = 32;
constexpr std::int64_t k_max_duration_ms = 24LL * 3600 * 1000;
constexpr std::int64_t k_max_ttl_seconds = 366LL * 24 * 3600;
constexpr std::int64_t k_max_body_bytes = 1LL << 30;
constexpr std::size_t k_max_role_name = 63;  // PostgreSQL's identifier length

struct Setting;

// One value of one setting, as the file or the environment gave it. Errors name both spellings
// of the key, so an operator finds it whichever way they set it. Values are never echoed: some
// are secrets (the JWT secret, passwords inside database URLs).
class Field {
 public:
  Field(const Setting& setting, const boost::json::value& json) : setting_(setting), json_(&json) {}
  Field(const Setting& setting, std::string_view env_text)
      : setting_(setting), env_text_(env_text) {}

  [[noreturn]] void fail(std::string_view why) const;

  std::string text() const {
    if (!json_) return std::string(env_text_);
    if (!json_->is_string()) fail("must be a string");
    return std::string(json_->get_string());
  }

  std::int64_t integer(std::int64_t min, std::int64_t max) const {
    auto value = json_ ? json_integer() : env_integer();
    if (!value || *value < min || *value > max)
      fail(fmt::format("must be an integer from {} to {}", min, max));
    return *value;
  }

  bool boolean() const {
    if (json_ && json_->is_bool()) return json_->get_bool();
    if (!json_ && (env_text_ == "true" || env_text_ == "1")) return true;
    if (!json_ && (env_text_ == "false" || env_text_ == "0")) return false;
    fail("must be true or false");
  }

  milliseconds millis(std::int64_t min) const {
    return milliseconds(integer(min, k_max_duration_ms));
  }
  seconds ttl() const { return seconds(integer(1, k_max_ttl_seconds)); }

 private:
  std::optional<std::int64_t> json_integer() const {
    if (json_->is_int64()) return json_->get_int64();
    if (json_->is_uint64() && json_->get_uint64() <= INT64_MAX)
      return static_cast<std::int64_t>(json_->get_uint64());
    return std::nullopt;
  }

  std::optional<std::int64_t> env_integer() const {
    std::int64_t value = 0;
    auto end = env_text_.data() + env_text_.size();
    auto [ptr, ec] = std::from_chars(env_text_.data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
  }

  const Setting& setting_;
  const boost::json::value* json_ = nullptr;  // null: the value came from the environment
  std::string_view env_text_;
};

struct Setting {
  std::string_view section;
  std::string_view key;
  std::string_view env;
  void (*apply)(Config&, const Field&);
};

void Field::fail(std::string_view why) const {
  throw ConfigError(
      fmt::format("{}.{} ({}) {}", setting_.section, setting_.key, setting_.env, why));
}

bool is_ip_address(const std::string& host) {
  in6_addr buffer{};
  return inet_pton(AF_INET, host.c_str(), &buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &buffer) == 1;
}

// "127.0.0.1:8080", "[::1]:8080" or "0.0.0.0:0" (0: any free port).
void apply_listen(Config& config, const Field& field) {
  auto text = field.text();
  auto colon = text.rfind(':');
  if (colon == std::string::npos) field.fail("must be host:port, e.g. 127.0.0.1:8080");
  auto host = text.substr(0, colon);
  // IPv6 hosts are bracketed, so "::1:80" cannot be read two ways.
  bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  bool host_ok = is_ip_address(host) && (bracketed == (host.find(':') != std::string::npos));
  auto port_text = std::string_view(text).substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  bool port_ok = !port_text.empty() && ec == std::errc() &&
                 ptr == port_text.data() + port_text.size() && port <= 65535;
  if (!host_ok || !port_ok)
    field.fail("must be host:port with an IP address and a port from 0 to 65535");
  config.listen_host = host;
  config.listen_port = static_cast<std::uint16_t>(port);
}

// Roles are written into GRANT statements (identifiers cannot be bound), so only plain
// lower-case identifiers are accepted.
std::string role_name(const Field& field) {
  auto role = field.text();
  auto valid_char = [](char c) {
    return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
  };
  bool valid =
      role.empty() || (role.size() <= k_max_role_name && !(role[0] >= '0' && role[0] <= '9') &&
                       std::all_of(role.begin(), role.end(), valid_char));
  if (!valid) field.fail("must be a plain lower-case SQL identifier ([a-z_][a-z0-9_]*)");
  return role;
}

void apply_log_level(Config& config, const Field& field) {
  auto level = field.text();
  try {
    log::parse_level(level);
  } catch (const std::invalid_argument&) {
    field.fail("must be one of debug, info, warn, error");
  }
  config.log_level = level;
}

void apply_log_format(Config& config, const Field& field) {
  auto format = field.text();
  if (format != "json" && format != "text") field.fail("must be json or text");
  config.log_format = format;
}

void apply_smtp_url(Config& config, const Field& field) {
  auto url = field.text();
  if (!url.empty() && !url.starts_with("smtp://") && !url.starts_with("smtps://"))
    field.fail("must be an smtp:// or smtps:// URL (or empty: no email)");
  config.smtp_url = url;
}

// An address for the SMTP envelope and the From header: local@domain, where the domain may be a
// bare host name ("payrollx@localhost", the default), and nothing that could break a header.
void apply_smtp_from(Config& config, const Field& field) {
  auto from = field.text();
  auto at = from.find('@');
  bool plain = std::none_of(from.begin(), from.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == 0x7f;
  });
  if (at == std::string::npos || at == 0 || at + 1 == from.size() || !plain || from.size() > 254)
    field.fail("must be an email address (local@domain)");
  config.smtp_from = from;
}

void apply_solana_rpc_url(Config& config, const Field& field) {
  auto url = field.text();
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://"))
    field.fail("must be an http:// or https:// URL (or empty: withdrawals are settled by hand)");
  config.solana_rpc_url = url;
}

void apply_solana_mint(Config& config, const Field& field) {
  auto mint = field.text();
  if (!is_solana_public_key(mint)) field.fail("must be a Solana address (base58 of 32 bytes)");
  config.solana_usdc_mint = mint;
}

void apply_solana_commitment(Config& config, const Field& field) {
  auto commitment = field.text();
  if (commitment != "confirmed" && commitment != "finalized")
    field.fail("must be confirmed or finalized");
  config.solana_commitment = commitment;
}

void apply_trusted_proxies(Config& config, const Field& field) {
  auto list = field.text();
  if (!http::TrustedProxies::parse(list))
    field.fail("must be a comma-separated list of IP addresses and CIDRs (10.0.0.0/8, ::1)");
  config.trusted_proxies = list;
}

// Every key of the file and its environment variable; the file's sections are the prefixes.
constexpr std::array k_settings{
    Setting{"database", "url", "PAYROLLX_DATABASE_URL",
            [](Config& c, const Field& f) { c.database_url = f.text(); }},
    Setting{"database", "migrateUrl", "PAYROLLX_MIGRATE_DATABASE_URL",
            [](Config& c, const Field& f) { c.migrate_database_url = f.text(); }},
    Setting{"database", "runtimeRole", "PAYROLLX_DB_RUNTIME_ROLE",
            [](Config& c, const Field& f) { c.runtime_role = role_name(f); }},
    Setting{"database", "reportingRole", "PAYROLLX_DB_REPORTING_ROLE",
            [](Config& c, const Field& f) { c.reporting_role = role_name(f); }},
    Setting{"database", "transactionPooling", "PAYROLLX_DB_TRANSACTION_POOLING",
            [](Config& c, const Field& f) { c.db_transaction_pooling = f.boolean(); }},
    Setting{"database", "listenUrl", "PAYROLLX_DB_LISTEN_URL",
            [](Config& c, const Field& f) { c.db_listen_url = f.text(); }},
    Setting{"database", "poolSize", "PAYROLLX_DB_POOL_SIZE",
            [](Config& c, const Field& f) { c.db_pool_size = int(f.integer(1, 1000)); }},
    Setting{"database", "connectTimeoutMs", "PAYROLLX_DB_CONNECT_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.db_connect_timeout = f.millis(1); }},
    Setting{"database", "statementTimeoutMs", "PAYROLLX_DB_STATEMENT_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.db_statement_timeout = f.millis(1); }},
    Setting{"database", "acquireTimeoutMs", "PAYROLLX_DB_ACQUIRE_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.db_acquire_timeout = f.millis(1); }},
    Setting{"database", "slowQueryMs", "PAYROLLX_DB_SLOW_QUERY_MS",
            [](Config& c, const Field& f) { c.db_slow_query = f.millis(0); }},
    Setting{"database", "migrateOnStart", "PAYROLLX_MIGRATE_ON_START",
            [](Config& c, const Field& f) { c.migrate_on_start = f.boolean(); }},
    Setting{"server", "listen", "PAYROLLX_LISTEN", apply_listen},
    Setting{"server", "threads", "PAYROLLX_THREADS",
            [](Config& c, const Field& f) { c.threads = int(f.integer(0, 1024)); }},
    Setting{"server", "bodyLimitBytes", "PAYROLLX_BODY_LIMIT_BYTES",
            [](Config& c, const Field& f) { c.body_limit = f.integer(1, k_max_body_bytes); }},
    Setting{
        "server", "documentBodyLimitBytes", "PAYROLLX_DOCUMENT_BODY_LIMIT_BYTES",
        [](Config& c, const Field& f) { c.document_body_limit = f.integer(1, k_max_body_bytes); }},
    Setting{"server", "readTimeoutMs", "PAYROLLX_READ_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.read_timeout = f.millis(1); }},
    Setting{"server", "idleTimeoutMs", "PAYROLLX_IDLE_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.idle_timeout = f.millis(1); }},
    Setting{"server", "shutdownTimeoutMs", "PAYROLLX_SHUTDOWN_TIMEOUT_MS",
            [](Config& c, const Field& f) { c.shutdown_timeout = f.millis(1); }},
    Setting{"server", "trustedProxies", "PAYROLLX_TRUSTED_PROXIES", apply_trusted_proxies},
    Setting{"auth", "jwtSecret", "PAYROLLX_JWT_SECRET",
            [](Config& c, const Field& f) { c.jwt_secret = f.text(); }},
    Setting{"auth", "accessTokenTtlSeconds", "PAYROLLX_ACCESS_TOKEN_TTL_SECONDS",
            [](Config& c, const Field& f) { c.access_token_ttl = f.ttl(); }},
    Setting{"auth", "refreshTokenTtlSeconds", "PAYROLLX_REFRESH_TOKEN_TTL_SECONDS",
            [](Config& c, const Field& f) { c.refresh_token_ttl = f.ttl(); }},
    Setting{"auth", "invitationTtlSeconds", "PAYROLLX_INVITATION_TTL_SECONDS",
            [](Config& c, const Field& f) { c.invitation_ttl = f.ttl(); }},
    Setting{"auth", "rateLimitPerMinute", "PAYROLLX_AUTH_RATE_LIMIT",
            [](Config& c, const Field& f) { c.auth_rate_limit = int(f.integer(1, 1'000'000)); }},
    Setting{"auth", "lockoutThreshold", "PAYROLLX_LOCKOUT_THRESHOLD",
            [](Config& c, const Field& f) { c.lockout_threshold = int(f.integer(1, 1000)); }},
    Setting{"auth", "lockoutSeconds", "PAYROLLX_LOCKOUT_SECONDS",
            [](Config& c, const Field& f) { c.lockout_duration = f.ttl(); }},
    Setting{"audit", "sealDelayMs", "PAYROLLX_AUDIT_SEAL_DELAY_MS",
            [](Config& c, const Field& f) { c.audit_seal_delay = f.millis(0); }},
    Setting{"audit", "sealSweepMs", "PAYROLLX_AUDIT_SEAL_SWEEP_MS",
            [](Config& c, const Field& f) { c.audit_seal_sweep = f.millis(1); }},
    Setting{"jobs", "intervalMs", "PAYROLLX_JOBS_INTERVAL_MS",
            [](Config& c, const Field& f) { c.jobs_interval = f.millis(1); }},
    Setting{"log", "level", "PAYROLLX_LOG_LEVEL", apply_log_level},
    Setting{"log", "format", "PAYROLLX_LOG_FORMAT", apply_log_format},
    Setting{"smtp", "url", "PAYROLLX_SMTP_URL", apply_smtp_url},
    Setting{"smtp", "from", "PAYROLLX_SMTP_FROM", apply_smtp_from},
    Setting{"outbox", "backoffMs", "PAYROLLX_OUTBOX_BACKOFF_MS",
            [](Config& c, const Field& f) { c.outbox_backoff = f.millis(1); }},
    Setting{"outbox", "maxAttempts", "PAYROLLX_OUTBOX_MAX_ATTEMPTS",
            [](Config& c, const Field& f) { c.outbox_max_attempts = int(f.integer(1, 100)); }},
    Setting{"webhooks", "allowPrivate", "PAYROLLX_WEBHOOK_ALLOW_PRIVATE",
            [](Config& c, const Field& f) { c.webhook_allow_private = f.boolean(); }},
    Setting{"solana", "rpcUrl", "PAYROLLX_SOLANA_RPC_URL", apply_solana_rpc_url},
    Setting{"solana", "keypairFile", "PAYROLLX_SOLANA_KEYPAIR_FILE",
            [](Config& c, const Field& f) { c.solana_keypair_file = f.text(); }},
    Setting{"solana", "usdcMint", "PAYROLLX_SOLANA_USDC_MINT", apply_solana_mint},
    Setting{"solana", "commitment", "PAYROLLX_SOLANA_COMMITMENT", apply_solana_commitment},
    Setting{"solana", "retryBackoffMs", "PAYROLLX_SOLANA_RETRY_BACKOFF_MS",
            [](Config& c, const Field& f) { c.solana_retry_backoff = f.millis(1); }},
    Setting{"solana", "maxRpcFailures", "PAYROLLX_SOLANA_MAX_RPC_FAILURES",
            [](Config& c, const Field& f) { c.solana_max_rpc_failures = int(f.integer(1, 1000)); }},
};

// Keys starting with "_" document the file ("_comment", "_doc") and are ignored.
bool is_documentation(std::string_view key) {
  return key.starts_with('_');
}

boost::json::object read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("config file {} cannot be read", path));
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto value = boost::json::parse(text.str(), ec);
  if (ec)
    throw ConfigError(fmt::format("config file {} is not valid JSON: {}", path, ec.message()));
  if (!value.is_object())
    throw ConfigError(fmt::format("config file {} must hold a JSON object", path));
  return std::move(value.as_object());
}

void apply_section(Config& config, std::string_view section, const boost::json::object& body,
                   const std::string& path) {
  for (const auto& [key, value] : body) {
    if (is_documentation(key)) continue;
    auto setting = std::find_if(k_settings.begin(), k_settings.end(), [&](const Setting& s) {
      return s.section == section && s.key == key;
    });
    if (setting == k_settings.end())
      throw ConfigError(
          fmt::format("config file {}: unknown key {}.{}", path, section, std::string_view(key)));
    // null keeps the default, so the example file can list a key without setting it.
    if (!value.is_null()) setting->apply(config, Field(*setting, value));
  }
}

void apply_file(Config& config, const std::string& path) {
  for (const auto& [section, body] : read_file(path)) {
    if (is_documentation(section)) continue;
    bool known = std::any_of(k_settings.begin(), k_settings.end(),
                             [&](const Setting& s) { return s.section == section; });
    if (!known)
      throw ConfigError(
          fmt::format("config file {}: unknown key {}", path, std::string_view(section)));
    if (!body.is_object())
      throw ConfigError(
          fmt::format("config file {}: {} must be an object", path, std::string_view(section)));
    apply_section(config, section, body.get_object(), path);
  }
}

void apply_env(Config& config, const EnvLookup& env) {
  for (const auto& setting : k_settings) {
    if (auto value = env(std::string(setting.env))) setting.apply(config, Field(setting, *value));
  }
}

std::string random_secret() {
  std::array<unsigned char, k_min_jwt_secret_bytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, bytes.size() * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data(), bytes.size() * 2);
}

// Rules over the merged values: requirements and defaults that depend on other keys.
void finish(Config& config) {
  if (config.database_url.empty())
    throw ConfigError("database.url (PAYROLLX_DATABASE_URL) is required");
  // Behind a transaction pooler, migrations (a session-level advisory lock) and LISTEN (a session
  // of its own) need a direct connection: the pooler would hand each statement to any server.
  if (config.db_transaction_pooling && config.migrate_database_url.empty())
    throw ConfigError(
        "database.migrateUrl (PAYROLLX_MIGRATE_DATABASE_URL) is required with "
        "database.transactionPooling (PAYROLLX_DB_TRANSACTION_POOLING): a direct connection, not "
        "the pooler, for migrations and LISTEN");
  if (config.migrate_database_url.empty()) config.migrate_database_url = config.database_url;

  if (config.jwt_secret.empty() && config.dev) {
    config.jwt_secret = random_secret();
    config.jwt_secret_generated = true;
  } else if (config.jwt_secret.empty()) {
    throw ConfigError(
        "auth.jwtSecret (PAYROLLX_JWT_SECRET) is required (at least 32 bytes; only --dev runs "
        "without one)");
  } else if (config.jwt_secret.size() < k_min_jwt_secret_bytes && !config.dev) {
    throw ConfigError(fmt::format("auth.jwtSecret (PAYROLLX_JWT_SECRET) must be at least {} bytes",
                                  k_min_jwt_secret_bytes));
  }

  // Half an adapter is a mistake, not "off": withdrawals would wait for a settlement that never
  // comes, or be settled by hand while the operator believes they are paid on chain.
  if (config.solana_rpc_url.empty() != config.solana_keypair_file.empty())
    throw ConfigError(
        "solana.rpcUrl (PAYROLLX_SOLANA_RPC_URL) and solana.keypairFile "
        "(PAYROLLX_SOLANA_KEYPAIR_FILE) are set together or not at all");

  if (config.threads == 0) config.threads = int(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

const std::string& listen_url(const Config& config) {
  if (!config.db_listen_url.empty()) return config.db_listen_url;
  return config.db_transaction_pooling ? config.migrate_database_url : config.database_url;
}

Config load_config(const std::optional<std::string>& file, bool dev, const EnvLookup& env) {
  Config config;
  config.dev = dev;
  if (file) apply_file(config, *file);
  apply_env(config, env);
  finish(config);
  return config;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

}  // namespace payrollx
