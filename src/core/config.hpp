#pragma once
// Configuration: a JSON file (config/payrollx.example.json documents every key) overridden by
// PAYROLLX_* environment variables. A bad or missing required value throws ConfigError naming
// the key, and the server does not start.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace payrollx {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string database_url;          // database.url / PAYROLLX_DATABASE_URL (required)
  std::string migrate_database_url;  // database.migrateUrl / PAYROLLX_MIGRATE_DATABASE_URL
  std::string runtime_role;          // database.runtimeRole / PAYROLLX_DB_RUNTIME_ROLE: granted DML
  std::string reporting_role;  // database.reportingRole / PAYROLLX_DB_REPORTING_ROLE: read-only
  // database.transactionPooling / PAYROLLX_DB_TRANSACTION_POOLING: database_url is a pooler in
  // transaction mode (PgBouncer); migrate_database_url must then be a direct connection.
  bool db_transaction_pooling = false;
  // database.listenUrl / PAYROLLX_DB_LISTEN_URL: where LISTEN connections go (they hold a
  // session). Empty: the database URL, or behind a transaction pooler the migrate URL.
  std::string db_listen_url;
  int db_pool_size = 16;
  std::chrono::milliseconds db_connect_timeout{60000};
  std::chrono::milliseconds db_statement_timeout{60000};
  std::chrono::milliseconds db_acquire_timeout{5000};
  std::chrono::milliseconds db_slow_query{500};

  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  int threads = 0;  // 0: number of cores
  std::size_t body_limit = 1024 * 1024;
  std::size_t document_body_limit = 10 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_timeout{20000};
  // server.trustedProxies / PAYROLLX_TRUSTED_PROXIES: addresses and CIDRs whose X-Forwarded-For
  // names the client (checked by http::TrustedProxies::parse). Empty: the peer is the client.
  std::string trusted_proxies;

  std::string jwt_secret;
  std::chrono::seconds access_token_ttl{900};
  std::chrono::seconds refresh_token_ttl{30 * 24 * 3600};
  std::chrono::seconds invitation_ttl{7 * 24 * 3600};
  int auth_rate_limit = 30;   // attempts per minute per client address (login: and per account)
  int lockout_threshold = 5;  // failed logins in a row before the account locks
  std::chrono::seconds lockout_duration{900};

  std::string log_level = "info";   // debug, info, warn, error
  std::string log_format = "json";  // json, text
  std::string smtp_url;             // empty: no email
  std::string smtp_from = "payrollx@localhost";
  std::chrono::milliseconds outbox_backoff{30000};  // first retry, doubling, capped at an hour
  int outbox_max_attempts = 8;
  bool webhook_allow_private = false;  // http:// and loopback/private webhook targets (tests)

  // The Solana settlement adapter: on when both the RPC URL and the keypair file are set.
  std::string solana_rpc_url;
  std::string solana_keypair_file;  // the custody keypair (solana-keygen's JSON array)
  std::string solana_usdc_mint = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";  // mainnet's
  std::string solana_commitment = "finalized";  // confirmed or finalized: when COMPLETED
  // An RPC outage: the first retry after this, doubling to a minute; after max failures in a row
  // the settlement is FAILED (retryable by POST /transactions/{id}/settle).
  std::chrono::milliseconds solana_retry_backoff{1000};
  int solana_max_rpc_failures = 12;

  // The audit chain's sealer: how long after a commit its entries are sealed (a longer wait seals
  // more commits at once), and how often every instance seals what others left queued.
  std::chrono::milliseconds audit_seal_delay{0};
  std::chrono::milliseconds audit_seal_sweep{1000};

  // How often every instance's background jobs run (expired idempotency keys, later the payroll
  // scheduler); tests use a short one.
  std::chrono::milliseconds jobs_interval{60000};

  bool migrate_on_start = true;       // serve applies pending migrations first
  bool dev = false;                   // --dev: relaxes the JWT secret check
  bool jwt_secret_generated = false;  // dev without a secret: a random one (serve warns)
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Where the LISTEN connections go (see db_listen_url).
const std::string& listen_url(const Config& config);

// Reads `file` (if given) then the environment. Throws ConfigError.
Config load_config(const std::optional<std::string>& file, bool dev, const EnvLookup& env);
// The process environment.
std::optional<std::string> process_env(const std::string& name);

}  // namespace payrollx
