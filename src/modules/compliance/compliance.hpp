#pragma once
// compliance — the append-only business audit log with a per-organisation SHA-256 hash chain,
// the tax tables payroll withholds by, and the store of reports (src/reports makes them).
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/compliance/sealer.hpp"  // public: the app runs it, reports seal before reading

namespace payrollx {
namespace db {
class Pool;
class Session;
class Tx;
}  // namespace db
namespace http {
class RequestContext;
class Router;
}  // namespace http
}  // namespace payrollx

namespace payrollx::compliance {

// Who did it, for every audited change: the user (none for the system) and the request.
struct Actor {
  std::optional<Uuid> user_id;
  std::string request_id;
};

// The signed-in caller and request id of a request.
Actor actor_of(const http::RequestContext& ctx);

struct AuditEntry {
  Uuid organization_id;
  Actor actor;
  std::string action;       // "user.invited", "organization.updated", ...
  std::string entity_type;  // "user", "organization", ...
  std::optional<Uuid> entity_id;
  boost::json::value before;  // null on creation
  boost::json::value after;   // null on deletion
};

class AuditLog {
 public:
  // Without a sealer, entries wait for the sweep of a running instance or for a reader.
  AuditLog() = default;
  explicit AuditLog(Sealer& sealer) : sealer_(&sealer) {}

  // Records the entry in the caller's transaction: it commits or rolls back with the change,
  // takes no lock, and is sealed into the organisation's chain after commit (sealer.cpp).
  boost::asio::awaitable<void> append(db::Tx& tx, AuditEntry entry);
  // Any number of entries in one statement, chained in this order (as if appended one by one).
  boost::asio::awaitable<void> append_many(db::Tx& tx, std::vector<AuditEntry> entries);

 private:
  Sealer* sealer_ = nullptr;  // poked after the commit
};

// Tax tables (/api/v1/compliance/tax-tables): annual progressive brackets per organisation and
// currency, effective from a date. The payroll module asks for the withholding table through
// TaxTables::effective().
struct TaxBracket {
  std::optional<std::int64_t> up_to;  // minor units of annual taxable income; none: the last
  std::int64_t rate_basis_points = 0;
};

struct TaxTable {
  Uuid id;
  Uuid organization_id;
  std::string name;
  std::string currency;
  Date effective_from;
  std::vector<TaxBracket> brackets;  // ascending up_to, the last without
  std::int64_t standard_deduction = 0;
  Timestamp created_at;
};

// A table as the API creates it (already checked field by field, see tax_routes.cpp).
struct NewTaxTable {
  std::string name;
  std::string currency;
  Date effective_from;
  std::vector<TaxBracket> brackets;
  std::int64_t standard_deduction = 0;
};

struct TaxTableFilter {
  std::optional<std::string> currency;
  // Only the tables in effect on this day: per currency, the one effective() would answer.
  std::optional<Date> effective_on;
};

// Tables are never changed or deleted once created: a new table with a later effectiveFrom
// supersedes the old one, so a run calculated last year can still be explained by the table it
// used.
class TaxTables {
 public:
  TaxTables(db::Pool& pool, AuditLog& audit) : pool_(pool), audit_(audit) {}
  // The organisation's table for `currency` in effect on `date`: the one with the latest
  // effective_from <= date (the newest created wins a tie), if any.
  boost::asio::awaitable<std::optional<TaxTable>> effective(db::Session& session,
                                                            const Uuid& organization_id,
                                                            const std::string& currency, Date date);
  // Stores the table and audits "tax_table.created" in the caller's transaction. 400
  // validation_failed ("currency") when the currency is not in core.currencies.
  boost::asio::awaitable<TaxTable> create(db::Tx& tx, const Uuid& organization_id,
                                          const NewTaxTable& input, const Actor& actor);
  // The organisation's tables, newest first: up to page.limit + 1 (an extra one means more).
  boost::asio::awaitable<std::vector<TaxTable>> list(const Uuid& organization_id,
                                                     const TaxTableFilter& filter,
                                                     const http::PageRequest& page);
  db::Pool& pool() { return pool_; }

 private:
  db::Pool& pool_;
  AuditLog& audit_;
};

// Reports (/api/v1/compliance/reports). A request is stored PENDING and made in the background by
// one instance (src/reports), which claims it with a lease, appends the file chunk by chunk and
// finishes it READY with its size and sha256, or FAILED. Rows imported from the legacy services
// are metadata only (kind LEGACY, no file).
enum class ReportKind {
  payroll_register,
  tax_summary,
  ledger_reconciliation,
  audit_export,
  legacy
};
enum class ReportFormat { csv, json, pdf, excel };  // pdf and excel: imported legacy rows only
enum class ReportStatus { pending, running, ready, failed };
std::string_view to_string(ReportKind kind);
std::string_view to_string(ReportFormat format);
std::string_view to_string(ReportStatus status);
std::optional<ReportKind> report_kind_of(std::string_view text);
std::optional<ReportFormat> report_format_of(std::string_view text);

struct ReportRequest {
  ReportKind kind = ReportKind::payroll_register;
  ReportFormat format = ReportFormat::csv;
  Date period_start;  // inclusive
  Date period_end;    // inclusive
};

struct Report {
  Uuid id;
  Uuid organization_id;
  ReportRequest request;
  ReportStatus status = ReportStatus::pending;
  int progress = 0;  // percent
  std::optional<std::int64_t> rows;
  std::optional<std::int64_t> size;   // bytes
  std::optional<std::string> sha256;  // hex
  std::optional<std::string> error;
  std::optional<Uuid> created_by;
  Timestamp created_at;
  std::optional<Timestamp> completed_at;
  int attempt = 0;  // the maker's claim: a later claim makes an earlier maker's writes fail
};

boost::json::object to_json(const Report& report);

// The maker lost its claim (its lease lapsed and another instance took the report over).
struct ReportClaimLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Reports {
 public:
  Reports(db::Pool& pool, AuditLog& audit) : pool_(pool), audit_(audit) {}

  // Stores a PENDING report and audits "report.requested", in the caller's transaction; makers
  // are woken at commit.
  boost::asio::awaitable<Report> request(db::Tx& tx, const Uuid& organization_id,
                                         const ReportRequest& input, const Actor& actor);
  // 404 when the organisation has no such report.
  boost::asio::awaitable<Report> get(const Uuid& organization_id, const Uuid& report_id);
  // Newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Report>> list(const Uuid& organization_id,
                                                   const http::PageRequest& page);
  // Chunk `position` of a READY report's file; none past the last one.
  boost::asio::awaitable<std::optional<std::string>> chunk(const Uuid& organization_id,
                                                           const Uuid& report_id, int position);

  // The maker's side. claim(): the oldest PENDING report, or a RUNNING one whose maker's lease
  // lapsed (its chunks are dropped, it starts again), now RUNNING under a new lease; none when
  // nothing is due. The others throw ReportClaimLost once another claim took the report over;
  // append() renews the lease.
  boost::asio::awaitable<std::optional<Report>> claim(std::chrono::seconds lease);
  boost::asio::awaitable<void> append(const Report& report, int position, std::string_view data,
                                      int progress, std::chrono::seconds lease);
  boost::asio::awaitable<void> finish(const Report& report, std::int64_t rows, std::int64_t size,
                                      const std::string& sha256);
  boost::asio::awaitable<void> fail(const Report& report, const std::string& error);

  db::Pool& pool() { return pool_; }

 private:
  db::Pool& pool_;
  AuditLog& audit_;
};

// The audit export's rows: the organisation's entries created on the UTC dates [from, to], in
// chain order, `limit` at a time after `after_seq`, read in the caller's session (a report
// reads all its pages in one snapshot).
struct AuditExportRow {
  std::int64_t seq = 0;
  Uuid id;
  Timestamp created_at;
  std::optional<Uuid> actor_id;
  std::string action;
  std::string entity_type;
  std::optional<Uuid> entity_id;
  std::optional<std::string> request_id;
  std::optional<std::string> before;  // json text, as hashed
  std::optional<std::string> after;
  std::string prev_hash;
  std::string hash;
};
boost::asio::awaitable<std::int64_t> count_audit_export(db::Session& session,
                                                        const Uuid& organization_id, Date from,
                                                        Date to);
boost::asio::awaitable<std::vector<AuditExportRow>> audit_export_page(db::Session& session,
                                                                      const Uuid& organization_id,
                                                                      Date from, Date to,
                                                                      std::int64_t after_seq,
                                                                      int limit);

void register_routes(http::Router& router, db::Pool& pool);
// POST and GET /api/v1/compliance/reports, /{id}, /{id}/download.
void register_report_routes(http::Router& router, Reports& reports);
// POST and GET /api/v1/compliance/tax-tables.
void register_tax_table_routes(http::Router& router, TaxTables& tax_tables);

}  // namespace payrollx::compliance
