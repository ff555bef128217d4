#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "app/app.hpp"
#include "cli/commands.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/server.hpp"
#include "core/log.hpp"
#include "core/systemd_notify.hpp"

namespace payrollx::cli {
namespace {

http::ServerOptions server_options(const Config& config) {
  http::ServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.body_limit = config.body_limit;
  options.read_timeout = config.read_timeout;
  options.idle_timeout = config.idle_timeout;
  options.shutdown_timeout = config.shutdown_timeout;
  return options;
}

// One io_context per thread: the first also runs the acceptor, the pool, the background jobs and
// the signals; connections are spread over all of them. Each thread batches its request log lines
// (log::ThreadBatch). A handler's escaping exception is logged and the thread goes back to serving
// rather than ending the process.
class Threads {
 public:
  explicit Threads(int count) {
    for (int i = 0; i < count; ++i)
      contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
  }
  boost::asio::io_context& main() { return *contexts_.front(); }
  std::vector<boost::asio::io_context*> all() {
    std::vector<boost::asio::io_context*> contexts;
    for (auto& context : contexts_) contexts.push_back(context.get());
    return contexts;
  }
  // Runs every context until stop(); returns when all have stopped.
  void run() {
    std::vector<std::jthread> workers;
    for (std::size_t i = 1; i < contexts_.size(); ++i)
      workers.emplace_back([this, i] { run_one(*contexts_[i], true); });
    run_one(main(), false);
  }
  void stop() {
    for (auto& context : contexts_) context->stop();
  }

 private:
  static void run_one(boost::asio::io_context& io, bool keep_alive) {
    // A context without connections yet has no work: it waits for stop() instead of returning.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
    if (keep_alive) guard.emplace(io.get_executor());
    log::ThreadBatch batch(io);
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        log::error("server.handler_failed", {{"error", e.what()}});
      }
    }
  }

  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

}  // namespace

int serve(const Invocation& invocation) {
  auto config = load_configuration(invocation, invocation.has("--dev"));
  if (config.jwt_secret_generated)
    log::warn("config.jwt_secret_generated",
              {{"detail", "dev mode without PAYROLLX_JWT_SECRET: tokens die with the process"}});
  bool migrate_first = config.migrate_on_start && !invocation.has("--no-migrate");
  if (migrate_first && !apply_migrations(config)) return k_exit_failure;
  if (!session_defaults_ok(config)) return k_exit_failure;
  warn_if_schema_owner(config);

  Threads threads(config.threads);
  auto& io = threads.main();
  // After the contexts, so that its watchdog's timer goes before they do.
  auto systemd = SystemdNotifier::from_environment();
  // Taken over before the server says it listens: a SIGTERM from then on is queued for the
  // graceful shutdown below, never the default action that would kill in-flight requests.
  std::optional<boost::asio::signal_set> signals(std::in_place, io, SIGINT, SIGTERM);
  App app(config, io);
  http::Dispatcher dispatcher(app.router(), app.tokens(), app.metrics(), config.body_limit);
  // (Checked by load_configuration: the list parses.)
  dispatcher.set_suspensions(app.suspensions());
  dispatcher.set_trusted_proxies(http::TrustedProxies::parse(config.trusted_proxies).value());
  dispatcher.set_standing_check(
      [&auth = app.auth()](db::Tx& tx, const Principal& principal) -> boost::asio::awaitable<void> {
        co_await auth.confirm_standing(tx, principal);
      });
  http::Server server(io, threads.all(), dispatcher, server_options(config));
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error(
        "server.start_failed",
        {{"address", config.listen_host}, {"port", config.listen_port}, {"error", e.what()}});
    return k_exit_failure;
  }
  app.start_jobs();
  // Listening with the migrations current: serve applied them above, or (--no-migrate, as the
  // systemd unit runs it) its ExecStartPre did before this process started. The pings come from
  // the event loops from here on.
  systemd.ready();
  systemd.start_watchdog(threads.all());

  // Graceful shutdown: readiness goes false first (load balancers stop sending), then the server
  // finishes in-flight requests and the settlement job its batch, then the pool closes; only
  // then does the io_context stop.
  auto shut_down = [&](int signal) -> boost::asio::awaitable<void> {
    systemd.stopping();
    app.readiness().shutting_down = true;
    log::info("server.shutting_down", {{"signal", signal}});
    const auto deadline = std::chrono::steady_clock::now() + config.shutdown_timeout;
    app.stop_jobs();
    co_await server.shutdown();
    // What is left of the shutdown timeout: the batch adds nothing to the longest stop.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    co_await app.drain_jobs(std::max(left, std::chrono::milliseconds(0)));
    co_await app.pool().close(config.shutdown_timeout);
  };
  std::atomic<bool> graceful = false;
  signals->async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    boost::asio::co_spawn(io, shut_down(signal), [&](std::exception_ptr error) {
      try {
        if (error) std::rethrow_exception(error);
        graceful = true;
        log::info("server.stopped");
      } catch (const std::exception& e) {
        log::error("server.shutdown_failed", {{"error", e.what()}});
      }
      threads.stop();
    });
  });

  threads.run();
  systemd.stop_watchdog();
  // Once shut down, a repeated SIGTERM (a supervisor insisting) must not kill the process while
  // it tears down: Asio gives the signals back their default action when the set goes, so the
  // set goes now and the signals are ignored from here to the exit.
  signals.reset();
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  if (!graceful) log::error("server.stopped_unexpectedly");
  return graceful ? k_exit_ok : k_exit_failure;
}

}  // namespace payrollx::cli
