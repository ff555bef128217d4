#include "app/app.hpp"

#include <boost/asio/io_context.hpp>

#include "core/idempotency.hpp"

namespace payrollx {
namespace {

// The backstop of the suspension watch, for a notification lost while its listening connection
// was down: how stale a suspension can be on another instance at worst.
constexpr std::chrono::milliseconds k_suspensions_poll{5000};

db::PoolOptions pool_options(const Config& config) {
  db::PoolOptions options;
  options.conninfo = config.database_url;
  options.max_size = config.db_pool_size;
  options.acquire_timeout = config.db_acquire_timeout;
  options.connect_timeout = config.db_connect_timeout;
  options.statement_timeout = config.db_statement_timeout;
  options.slow_query = config.db_slow_query;
  options.transaction_pooling = config.db_transaction_pooling;
  return options;
}

auth::Options auth_options(const Config& config) {
  auth::Options options;
  options.refresh_token_ttl = config.refresh_token_ttl;
  options.invitation_ttl = config.invitation_ttl;
  options.rate_limit_per_minute = config.auth_rate_limit;
  options.lockout_threshold = config.lockout_threshold;
  options.lockout_duration = config.lockout_duration;
  return options;
}

notification::OutboxOptions outbox_options(const Config& config) {
  return {.smtp_url = config.smtp_url,
          .smtp_from = config.smtp_from,
          .backoff = config.outbox_backoff,
          .max_attempts = config.outbox_max_attempts,
          .webhook_allow_private = config.webhook_allow_private,
          .listen_conninfo = listen_url(config)};
}

}  // namespace

App::App(const Config& config, boost::asio::io_context& io)
    : pool_(io.get_executor(), pool_options(config), &metrics_),
      tokens_(config.jwt_secret, config.access_token_ttl),
      sealer_(io.get_executor(), pool_,
              {.delay = config.audit_seal_delay, .sweep = config.audit_seal_sweep}),
      audit_(sealer_),
      tax_tables_(pool_, audit_),
      organizations_(pool_, audit_, inbox_),
      wallets_(pool_, audit_),
      auth_(pool_, organizations_, wallets_, audit_, inbox_, tokens_, auth_options(config)),
      employees_(pool_, audit_, inbox_, wallets_, auth_),
      transactions_(pool_, wallets_, audit_, inbox_),
      payroll_({.pool = pool_,
                .employees = employees_,
                .wallets = wallets_,
                .transactions = transactions_,
                .organizations = organizations_,
                .tax_tables = tax_tables_,
                .audit = audit_,
                .inbox = inbox_}),
      directory_(auth_, organizations_),
      outbox_options_(outbox_options(config)),
      outbox_(io.get_executor(), pool_, outbox_options_, &metrics_),
      purge_idempotency_keys_(
          io.get_executor(), "idempotency.purge_expired", config.jobs_interval,
          [this]() -> boost::asio::awaitable<void> { co_await idempotency::purge_expired(pool_); }),
      purge_lockouts_(
          io.get_executor(), "auth.purge_stale_lockouts", config.jobs_interval,
          [this]() -> boost::asio::awaitable<void> { co_await auth_.purge_stale_lockouts(); }),
      payroll_scheduler_(
          io.get_executor(), "payroll.scheduler", config.jobs_interval,
          [this]() -> boost::asio::awaitable<void> { co_await payroll_.run_due(now()); }),
      suspension_watch_(io.get_executor(), organizations_, suspensions_, listen_url(config),
                        k_suspensions_poll),
      reports_(pool_, audit_),
      report_maker_(io.get_executor(), reports_, payroll_, wallets_, listen_url(config),
                    config.jobs_interval) {
  wallets_.set_employee_directory(employees_);
  if (!config.solana_rpc_url.empty()) {
    // Read from the database before every claim, not this instance's in-memory set: a server
    // that just started must not pay an organisation suspended before it heard of it.
    auto suspended = [this]() -> boost::asio::awaitable<std::vector<Uuid>> {
      const auto ids = co_await organizations_.suspended();
      co_return std::vector<Uuid>(ids.begin(), ids.end());
    };
    solana_ = std::make_unique<settlement::SolanaAdapter>(io.get_executor(), config, transactions_,
                                                          std::move(suspended));
    transactions_.settle_on_chain(settlement::SolanaAdapter::currencies());
  }
  if (!config.smtp_url.empty()) {
    inbox_.enable_email(directory_);
    outbox_.enable_email(directory_);
  }
  http::register_system_routes(router_, pool_, metrics_, readiness_);
  auth::register_routes(router_, auth_);
  organization::register_routes(router_, organizations_, suspensions_);
  wallet::register_routes(router_, wallets_);
  transaction::register_routes(router_, transactions_);
  employee::register_routes(router_, employees_, config.document_body_limit);
  payroll::register_routes(router_, payroll_);
  compliance::register_routes(router_, pool_);
  compliance::register_tax_table_routes(router_, tax_tables_);
  compliance::register_report_routes(router_, reports_);
  notification::register_routes(router_, pool_, outbox_options_);
}

void App::start_jobs() {
  sealer_.start();
  purge_idempotency_keys_.start();
  purge_lockouts_.start();
  payroll_scheduler_.start();
  outbox_.start();
  suspension_watch_.start();
  report_maker_.start();
  if (solana_) solana_->start();
}

void App::stop_jobs() {
  sealer_.stop();
  purge_idempotency_keys_.stop();
  purge_lockouts_.stop();
  payroll_scheduler_.stop();
  outbox_.stop();
  suspension_watch_.stop();
  report_maker_.stop();
  if (solana_) solana_->stop();
}

boost::asio::awaitable<void> App::drain_jobs(std::chrono::milliseconds timeout) {
  // The settlement job's batch holds its withdrawals under leases of minutes: left to lapse, they
  // would hold the money back from the instances that stay up. (A report being made keeps its
  // lease until it lapses, as a maker that died would.)
  if (solana_) co_await solana_->drained(timeout);
}

}  // namespace payrollx
