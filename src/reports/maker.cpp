#include "reports/maker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <stdexcept>
#include <utility>

#include "core/db/listener.hpp"
#include "core/db/pool.hpp"
#include "core/jobs.hpp"
#include "core/log.hpp"
#include "modules/compliance/compliance.hpp"
#include "reports/file.hpp"
#include "reports/sources.hpp"

namespace payrollx::reports {
namespace {

namespace asio = boost::asio;

// A maker renews its lease with every chunk; one silent this long has died, and its report is
// claimed again. Long enough for the count and several pages before the first chunk (each
// statement is bounded by the statement timeout, 60 s by default).
constexpr std::chrono::seconds k_lease{600};

constexpr db::Query k_scales{"reports.currency_scales", "SELECT code, scale FROM core.currencies"};

}  // namespace

struct ReportMaker::Impl : std::enable_shared_from_this<ReportMaker::Impl> {
  Impl(asio::any_io_executor executor, compliance::Reports& reports, Sources sources,
       std::chrono::milliseconds poll)
      : executor(executor),
        reports(reports),
        sources(sources),
        poller(executor, "reports.make_due", poll, [this] { return make_due(); }) {}

  // Every due report, one after the other; a wake-up during a run makes it look once more.
  asio::awaitable<void> make_due() {
    if (running) {
      again = true;
      co_return;
    }
    running = true;
    try {
      do {
        again = false;
        // (Not `while (auto r = co_await ...)`: GCC 12 mishandles a co_await in a condition.)
        for (;;) {
          auto report = co_await reports.claim(k_lease);
          if (!report) break;
          co_await make(*report);
        }
      } while (again);
    } catch (...) {
      running = false;
      throw;
    }
    running = false;
  }

  asio::awaitable<void> make(const compliance::Report& report) {
    log::info("reports.making", {{"report", report.id.str()},
                                 {"kind", std::string(to_string(report.request.kind))},
                                 {"attempt", report.attempt}});
    std::string failure;
    try {
      co_await write(report);
      co_return;
    } catch (const compliance::ReportClaimLost& e) {
      log::warn("reports.claim_lost", {{"report", report.id.str()}, {"error", e.what()}});
      co_return;
    } catch (const std::overflow_error& e) {
      // The data's own fault (a total beyond 64 bits): worth telling the client.
      log::error("reports.failed", {{"report", report.id.str()}, {"error", e.what()}});
      failure = std::string("The report could not be made: ") + e.what();
    } catch (const std::exception& e) {
      // Anything else is ours: the log has it; the client gets no internals.
      log::error("reports.failed", {{"report", report.id.str()}, {"error", e.what()}});
      failure = "The report could not be made (an internal error, logged). Request it again.";
    }
    co_await reports.fail(report, failure);
  }

  asio::awaitable<void> write(const compliance::Report& report) {
    auto scales_result = co_await reports.pool().query(k_scales);
    std::map<std::string, int> scales;
    for (auto row : scales_result)
      scales.emplace(row.get<std::string>("code"), row.get<int>("scale"));
    ReportFile file(reports, report, k_lease);
    std::int64_t rows = 0;
    // One snapshot for every page: rows committed meanwhile are not half-seen. The file's chunks
    // are stored on other connections as it goes, so the body must not be run twice.
    db::TxOptions options;
    options.isolation = db::Isolation::repeatable_read;
    options.read_only = true;
    options.max_attempts = 1;
    // The pool re-runs a body whose connection was lost before COMMIT, whatever max_attempts
    // says; this one has already stored chunks, so a second run fails the report instead.
    bool started = false;
    auto body = [&](db::Tx& tx) -> asio::awaitable<void> {
      if (std::exchange(started, true))
        throw std::runtime_error("the snapshot's connection was lost while writing the file");
      rows = co_await write_report(sources, tx, report, scales, file);
    };
    co_await reports.pool().transaction(body, options);
    co_await file.finish(rows);
    log::info("reports.ready", {{"report", report.id.str()}, {"rows", rows}});
  }

  // A run off the notification's callback; a failure waits for the next poll.
  void make_soon() {
    auto self = shared_from_this();
    auto run = [self]() -> asio::awaitable<void> {
      try {
        co_await self->make_due();
      } catch (const std::exception& e) {
        log::warn("reports.make_due_failed", {{"error", e.what()}});
      }
    };
    asio::co_spawn(executor, std::move(run), asio::detached);
  }

  asio::any_io_executor executor;
  compliance::Reports& reports;
  Sources sources;
  PeriodicJob poller;
  std::unique_ptr<db::Listener> listener;
  bool running = false;
  bool again = false;
};

ReportMaker::ReportMaker(asio::any_io_executor executor, compliance::Reports& reports,
                         payroll::Service& payroll, wallet::Service& wallets,
                         std::string listen_conninfo, std::chrono::milliseconds poll)
    : impl_(std::make_shared<Impl>(executor, reports, Sources{payroll, wallets}, poll)) {
  if (listen_conninfo.empty()) return;
  std::weak_ptr<Impl> weak = impl_;
  impl_->listener = std::make_unique<db::Listener>(executor, std::move(listen_conninfo),
                                                   "payrollx_reports", [weak] {
                                                     if (auto impl = weak.lock()) impl->make_soon();
                                                   });
}

ReportMaker::~ReportMaker() {
  stop();
}

void ReportMaker::start() {
  impl_->make_soon();
  impl_->poller.start();
  if (impl_->listener) impl_->listener->start();
}

void ReportMaker::stop() {
  impl_->poller.stop();
  if (impl_->listener) impl_->listener->stop();
}

}  // namespace payrollx::reports
