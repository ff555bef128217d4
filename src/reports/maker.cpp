#include "reports/maker.hpp"

#include <stdexcept>
#include <utility>

#include "core/db/pool.hpp"
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

struct ReportMaker::Impl {
  Impl(compliance::Reports& reports, Sources sources) : reports(reports), sources(sources) {}

  // Every due report, one after the other.
  asio::awaitable<void> make_due() {
    // (Not `while (auto r = co_await ...)`: GCC 12 mishandles a co_await in a condition.)
    for (;;) {
      auto report = co_await reports.claim(k_lease);
      if (!report) break;
      co_await make(*report);
    }
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
    // An audit export covers every change committed before it was made: seal what is queued.
    if (report.request.kind == compliance::ReportKind::audit_export)
      co_await compliance::seal_queued(reports.pool(), report.organization_id);
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

  compliance::Reports& reports;
  Sources sources;
};

namespace {

// The job's body: the maker while it lives (the job's run may outlast a ReportMaker destroyed
// meanwhile).
WokenJob::Body make_due_of(const std::shared_ptr<ReportMaker::Impl>& impl) {
  std::weak_ptr<ReportMaker::Impl> weak = impl;
  return [weak]() -> asio::awaitable<void> {
    auto maker = weak.lock();
    if (!maker) co_return;
    co_await maker->make_due();
  };
}

}  // namespace

ReportMaker::ReportMaker(asio::any_io_executor executor, compliance::Reports& reports,
                         payroll::Service& payroll, wallet::Service& wallets,
                         std::string listen_conninfo, std::chrono::milliseconds poll)
    : impl_(std::make_shared<Impl>(reports, Sources{payroll, wallets})),
      job_(executor, "reports.make_due", poll, std::move(listen_conninfo), "payrollx_reports",
           make_due_of(impl_)) {}

ReportMaker::~ReportMaker() {
  stop();
}

void ReportMaker::start() {
  job_.start();
}

void ReportMaker::stop() {
  job_.stop();
}

}  // namespace payrollx::reports
