#include "reports/sources.hpp"

#include <fmt/format.h>

#include "core/db/session.hpp"
#include "core/invariant.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::reports {
namespace {

using boost::asio::awaitable;
using compliance::Report;

constexpr int k_page = 1000;

// The rows' way to the file: encoded, written, with the progress they stand for.
class Output {
 public:
  Output(Encoder& encoder, ReportFile& file, std::int64_t total)
      : encoder_(encoder), file_(file), total_(total) {}

  awaitable<void> begin() { co_await file_.write(encoder_.begin(), 0); }
  awaitable<void> row(const Row& cells) {
    ++done_;
    co_await file_.write(encoder_.row(cells), percent());
  }
  awaitable<void> end() { co_await file_.write(encoder_.end(), percent()); }
  std::int64_t rows() const { return done_; }

 private:
  // 0 to 99: 100 is for the report once it is READY.
  int percent() const {
    if (total_ <= 0) return 0;
    return static_cast<int>(std::min<std::int64_t>(99, done_ * 100 / total_));
  }

  Encoder& encoder_;
  ReportFile& file_;
  std::int64_t total_;
  std::int64_t done_ = 0;
};

class Amounts {
 public:
  explicit Amounts(const std::map<std::string, int>& scales) : scales_(scales) {}
  Cell operator()(std::int64_t minor, const std::string& currency) const {
    auto found = scales_.find(currency);
    if (found == scales_.end())
      throw std::logic_error(fmt::format("reports: currency {} has no scale", currency));
    return Cell::of_amount(minor, currency, found->second);
  }

 private:
  const std::map<std::string, int>& scales_;
};

Cell optional_id(const std::optional<Uuid>& id) {
  return id ? Cell::of_id(id->str()) : Cell::null();
}

Cell optional_text(const std::optional<std::string>& text) {
  return text ? Cell::of_text(*text) : Cell::null();
}

const std::vector<std::string>& columns_of(compliance::ReportKind kind) {
  static const std::vector<std::string> k_register{
      "runId",        "runType", "payDate",           "employeeId", "employeeName",
      "currency",     "basePay", "earnings",          "gross",      "preTaxDeductions",
      "taxable",      "tax",     "postTaxDeductions", "net",        "runStatus",
      "transactionId"};
  static const std::vector<std::string> k_tax_summary{
      "employeeId", "employeeName", "currency", "runs", "gross", "taxable", "tax", "net"};
  static const std::vector<std::string> k_reconciliation{
      "walletId", "ownerType", "ownerId",        "currency",       "openingBalance",
      "credits",  "debits",    "closingBalance", "entriesBalance", "ok"};
  static const std::vector<std::string> k_audit{"seq",    "id",         "createdAt", "actorId",
                                                "action", "entityType", "entityId",  "requestId",
                                                "before", "after",      "prevHash",  "hash"};
  switch (kind) {
    case compliance::ReportKind::payroll_register:
      return k_register;
    case compliance::ReportKind::tax_summary:
      return k_tax_summary;
    case compliance::ReportKind::ledger_reconciliation:
      return k_reconciliation;
    case compliance::ReportKind::audit_export:
      return k_audit;
    case compliance::ReportKind::legacy:
      break;
  }
  throw std::logic_error("reports: an imported legacy report is never made");
}

awaitable<std::int64_t> count_rows(const Sources& sources, db::Session& session,
                                   const Report& report) {
  const auto& org = report.organization_id;
  const auto from = report.request.period_start;
  const auto to = report.request.period_end;
  switch (report.request.kind) {
    case compliance::ReportKind::payroll_register:
      co_return co_await sources.payroll.count_register(session, org, from, to);
    case compliance::ReportKind::tax_summary:
      co_return co_await sources.payroll.count_tax_summary(session, org, from, to);
    case compliance::ReportKind::ledger_reconciliation:
      co_return co_await sources.wallets.count_reconciliation(session, org, to);
    case compliance::ReportKind::audit_export:
      co_return co_await compliance::count_audit_export(session, org, from, to);
    case compliance::ReportKind::legacy:
      break;
  }
  throw std::logic_error("reports: an imported legacy report is never made");
}

// Every row of a keyset-paged source into `out`: `fetch(after)` reads the page after a key (none:
// the first page), `key_of(row)` is a row's key, `cells_of(row)` its cells.
template <class Key, class Fetch, class KeyOf, class CellsOf>
awaitable<void> copy_pages(Output& out, Fetch fetch, KeyOf key_of, CellsOf cells_of) {
  std::optional<Key> after;
  for (bool more = true; more;) {
    auto page = co_await fetch(after);
    for (const auto& row : page) {
      auto cells = cells_of(row);
      co_await out.row(cells);
    }
    more = page.size() == static_cast<std::size_t>(k_page);
    if (more) after = key_of(page.back());
  }
}

Row register_cells(const payroll::RegisterRow& item, const Amounts& amount) {
  const auto& c = item.currency;
  const auto& money = item.amounts;
  return {Cell::of_id(item.key.run_id.str()),
          Cell::of_text(item.run_type),
          Cell::of_id(to_iso_date(item.key.pay_date)),
          Cell::of_id(item.employee_id.str()),
          Cell::of_text(item.employee_name),
          Cell::of_id(c),
          amount(money.base_pay, c),
          amount(money.earnings, c),
          amount(money.gross, c),
          amount(money.pre_tax_deductions, c),
          amount(money.taxable, c),
          amount(money.tax, c),
          amount(money.post_tax_deductions, c),
          amount(money.net, c),
          Cell::of_text(std::string(to_string(item.run_status))),
          optional_id(item.transaction_id)};
}

Row tax_summary_cells(const payroll::TaxSummaryRow& sum, const Amounts& amount) {
  const auto& c = sum.key.currency;
  return {Cell::of_id(sum.key.employee_id.str()),
          Cell::of_text(sum.employee_name),
          Cell::of_id(c),
          Cell::of_integer(sum.runs),
          amount(sum.gross, c),
          amount(sum.taxable, c),
          amount(sum.tax, c),
          amount(sum.net, c)};
}

Row reconciliation_cells(const wallet::ReconciliationRow& wallet, const Amounts& amount) {
  const auto& c = wallet.currency;
  return {Cell::of_id(wallet.wallet_id.str()),
          Cell::of_text(wallet.owner_type),
          Cell::of_id(wallet.owner_id.str()),
          Cell::of_id(c),
          amount(wallet.opening, c),
          amount(wallet.credits, c),
          amount(wallet.debits, c),
          amount(wallet.closing, c),
          amount(wallet.entries_balance, c),
          Cell::of_boolean(wallet.ok())};
}

Row audit_cells(const compliance::AuditExportRow& entry) {
  auto json_or_null = [](const std::optional<std::string>& text) {
    return text ? Cell::of_json(*text) : Cell::null();
  };
  return {Cell::of_integer(entry.seq),
          Cell::of_id(entry.id.str()),
          Cell::of_id(to_rfc3339(entry.created_at)),
          optional_id(entry.actor_id),
          Cell::of_text(entry.action),
          Cell::of_text(entry.entity_type),
          optional_id(entry.entity_id),
          optional_text(entry.request_id),
          json_or_null(entry.before),
          json_or_null(entry.after),
          Cell::of_id(entry.prev_hash),
          Cell::of_id(entry.hash)};
}

// The rows of the report's kind, read a page at a time in `session`.
awaitable<void> copy_rows(const Sources& sources, db::Session& session, const Report& report,
                          const Amounts& amount, Output& out) {
  const auto& org = report.organization_id;
  const auto from = report.request.period_start;
  const auto to = report.request.period_end;
  switch (report.request.kind) {
    case compliance::ReportKind::payroll_register: {
      auto fetch = [&](const std::optional<payroll::RegisterKey>& after) {
        return sources.payroll.register_page(session, org, from, to, after, k_page);
      };
      auto key_of = [](const payroll::RegisterRow& row) { return row.key; };
      auto cells_of = [&](const payroll::RegisterRow& row) { return register_cells(row, amount); };
      co_await copy_pages<payroll::RegisterKey>(out, fetch, key_of, cells_of);
      co_return;
    }
    case compliance::ReportKind::tax_summary: {
      auto fetch = [&](const std::optional<payroll::TaxSummaryKey>& after) {
        return sources.payroll.tax_summary_page(session, org, from, to, after, k_page);
      };
      auto key_of = [](const payroll::TaxSummaryRow& row) { return row.key; };
      auto cells_of = [&](const payroll::TaxSummaryRow& row) {
        return tax_summary_cells(row, amount);
      };
      co_await copy_pages<payroll::TaxSummaryKey>(out, fetch, key_of, cells_of);
      co_return;
    }
    case compliance::ReportKind::ledger_reconciliation: {
      auto fetch = [&](const std::optional<Uuid>& after) {
        return sources.wallets.reconciliation_page(session, org, from, to, after, k_page);
      };
      auto key_of = [](const wallet::ReconciliationRow& row) { return row.wallet_id; };
      auto cells_of = [&](const wallet::ReconciliationRow& row) {
        return reconciliation_cells(row, amount);
      };
      co_await copy_pages<Uuid>(out, fetch, key_of, cells_of);
      co_return;
    }
    case compliance::ReportKind::audit_export: {
      auto fetch = [&](const std::optional<std::int64_t>& after) {
        return compliance::audit_export_page(session, org, from, to, after.value_or(0), k_page);
      };
      auto key_of = [](const compliance::AuditExportRow& row) { return row.seq; };
      co_await copy_pages<std::int64_t>(out, fetch, key_of, audit_cells);
      co_return;
    }
    case compliance::ReportKind::legacy:
      break;
  }
  throw std::logic_error("reports: an imported legacy report is never made");
}

}  // namespace

awaitable<std::int64_t> write_report(const Sources& sources, db::Session& session,
                                     const Report& report, const std::map<std::string, int>& scales,
                                     ReportFile& file) {
  const auto& columns = columns_of(report.request.kind);
  auto encoder = report.request.format == compliance::ReportFormat::json
                     ? json_encoder({.kind = std::string(to_string(report.request.kind)),
                                     .period_start = to_iso_date(report.request.period_start),
                                     .period_end = to_iso_date(report.request.period_end)},
                                    columns)
                     : csv_encoder(columns);
  const auto total = co_await count_rows(sources, session, report);
  Output out(*encoder, file, total);
  const Amounts amount(scales);
  co_await out.begin();
  co_await copy_rows(sources, session, report, amount, out);
  co_await out.end();
  // The count and the pages read one snapshot: any difference is a paging bug, not a race.
  PAYROLLX_INVARIANT(out.rows() == total, "a report's pages do not hold the rows it counted");
  co_return out.rows();
}

}  // namespace payrollx::reports
