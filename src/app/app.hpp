#pragma once
// The composition root: every long-lived part of the server, built in dependency order, and the
// routes of every module registered explicitly, in a visible order. `serve` wraps it in the HTTP
// server; tests and CLI commands may build it to reach a service.
#include "app/notification_directory.hpp"
#include "core/auth/jwt.hpp"
#include "core/auth/suspensions.hpp"
#include "core/config.hpp"
#include "core/db/pool.hpp"
#include "core/http/router.hpp"
#include "core/http/system_routes.hpp"
#include "core/jobs.hpp"
#include "core/metrics.hpp"
#include "modules/auth/auth.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/employee.hpp"
#include "modules/notification/notification.hpp"
#include "modules/organization/organization.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"
#include "reports/maker.hpp"
#include "settlement/adapter.hpp"

namespace boost::asio {
class io_context;
}

namespace payrollx {

class App {
 public:
  App(const Config& config, boost::asio::io_context& io);
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  http::Router& router() { return router_; }
  db::Pool& pool() { return pool_; }
  Metrics& metrics() { return metrics_; }
  http::Readiness& readiness() { return readiness_; }
  const TokenSigner& tokens() const { return tokens_; }
  auth::Service& auth() { return auth_; }
  const Suspensions& suspensions() const { return suspensions_; }

  // The background jobs of this instance (serve starts them; tests building an App do not).
  void start_jobs();
  void stop_jobs();
  // After stop_jobs(), before the pool closes: the runs in flight that must end what they hold.
  boost::asio::awaitable<void> drain_jobs(std::chrono::milliseconds timeout);

 private:
  // Members are built in this order and destroyed in reverse: each part outlives its users.
  Metrics metrics_;
  db::Pool pool_;
  TokenSigner tokens_;
  http::Router router_;
  http::Readiness readiness_;
  Suspensions suspensions_;
  compliance::Sealer sealer_;
  compliance::AuditLog audit_;
  compliance::TaxTables tax_tables_;  // before payroll, which withholds by them
  notification::Inbox inbox_;
  organization::Service organizations_;
  wallet::Service wallets_;
  auth::Service auth_;
  employee::Service employees_;
  transaction::Service transactions_;
  payroll::Service payroll_;
  NotificationDirectory directory_;  // for notification emails, after auth and organizations
  notification::OutboxOptions outbox_options_;
  notification::Outbox outbox_;
  PeriodicJob purge_idempotency_keys_;
  PeriodicJob purge_lockouts_;
  PeriodicJob payroll_scheduler_;
  organization::SuspensionWatch suspension_watch_;
  compliance::Reports reports_;
  reports::ReportMaker report_maker_;
  std::unique_ptr<settlement::SolanaAdapter> solana_;  // when PAYROLLX_SOLANA_* configure it
};

}  // namespace payrollx
