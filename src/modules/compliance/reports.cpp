// The store of reports: requests, the maker's claim with a lease, the file in chunks, and the
// reads of the API. The SQL lives here, behind these typed functions.
#include <sodium.h>

#include "core/db/bytea.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_REPORT_COLUMNS                                                                \
  "id, organization_id, kind, format, period_start, period_end, status, progress, row_count, " \
  "size, sha256, error, created_by, created_at, completed_at, attempts"

// $1 id, $2 organization_id, $3 kind, $4 format, $5 period_start, $6 period_end, $7 created_by.
// Wakes the makers (NOTIFY is delivered at commit).
constexpr db::Query k_insert{
    "compliance.insert_report",
    "WITH inserted AS ("
    "  INSERT INTO compliance.reports (id, organization_id, kind, format, period_start,"
    "    period_end, status, created_by)"
    "  VALUES ($1, $2, $3, $4, $5::date, $6::date, 'PENDING', $7)"
    "  RETURNING " PAYROLLX_REPORT_COLUMNS
    "), woken AS (SELECT pg_notify('payrollx_reports', '') FROM inserted) "
    "SELECT " PAYROLLX_REPORT_COLUMNS " FROM inserted, woken"};

// $1 organization_id, $2 id.
constexpr db::Query k_select{"compliance.select_report",
                             "SELECT " PAYROLLX_REPORT_COLUMNS
                             " FROM compliance.reports WHERE organization_id = $1 AND id = $2"};

// $1 organization_id, $2/$3 keyset (created_at, id) of the previous page's last row or NULL,
// $4 limit.
constexpr db::Query k_select_page{
    "compliance.select_report_page",
    "SELECT " PAYROLLX_REPORT_COLUMNS
    " FROM compliance.reports WHERE organization_id = $1"
    "  AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))"
    " ORDER BY created_at DESC, id DESC LIMIT $4"};

// The oldest due report, RUNNING under a lease of $1 seconds, its attempt counted; chunks of an
// attempt whose maker's lease lapsed are dropped.
constexpr db::Query k_claim{
    "compliance.claim_report",
    "WITH due AS ("
    "  SELECT organization_id AS due_organization_id, id AS due_id FROM compliance.reports"
    "  WHERE status = 'PENDING' OR (status = 'RUNNING' AND lease_until < now())"
    "  ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    "), dropped AS ("
    "  DELETE FROM compliance.report_chunks c USING due"
    "  WHERE c.organization_id = due.due_organization_id AND c.report_id = due.due_id"
    ") "
    "UPDATE compliance.reports r SET status = 'RUNNING', progress = 0,"
    "  attempts = r.attempts + 1, lease_until = now() + make_interval(secs => $1::bigint) "
    "FROM due WHERE r.organization_id = due.due_organization_id AND r.id = due.due_id "
    "RETURNING " PAYROLLX_REPORT_COLUMNS};

// The maker's writes hold only while its claim ($2 attempts) is the report's current one.
// $1 organization_id, $2 id, $3 attempts, $4 position, $5 data (bytea hex text), $6 progress,
// $7 lease seconds.
constexpr db::Query k_append{
    "compliance.append_report_chunk",
    "WITH owned AS ("
    "  UPDATE compliance.reports SET progress = $6::integer,"
    "    lease_until = now() + make_interval(secs => $7::bigint)"
    "  WHERE organization_id = $1 AND id = $2 AND attempts = $3::integer AND status = 'RUNNING'"
    "  RETURNING id"
    ") "
    "INSERT INTO compliance.report_chunks (organization_id, report_id, position, data) "
    "SELECT $1, id, $4::integer, $5::bytea FROM owned RETURNING 1"};

// $1 organization_id, $2 id, $3 attempts, $4 rows, $5 size, $6 sha256.
constexpr db::Query k_finish{
    "compliance.finish_report",
    "UPDATE compliance.reports SET status = 'READY', progress = 100, row_count = $4::bigint,"
    "  size = $5::bigint, sha256 = $6, lease_until = NULL, completed_at = now() "
    "WHERE organization_id = $1 AND id = $2 AND attempts = $3::integer AND status = 'RUNNING' "
    "RETURNING 1"};

// $1 organization_id, $2 id, $3 attempts, $4 error. The chunks go only with the claim that owns
// them: a maker that lost its claim must not delete the file of the one that took over.
constexpr db::Query k_fail{
    "compliance.fail_report",
    "WITH owned AS ("
    "  UPDATE compliance.reports SET status = 'FAILED', error = $4, lease_until = NULL,"
    "    completed_at = now() "
    "  WHERE organization_id = $1 AND id = $2 AND attempts = $3::integer AND status = 'RUNNING'"
    "  RETURNING id"
    "), dropped AS ("
    "  DELETE FROM compliance.report_chunks c USING owned"
    "  WHERE c.organization_id = $1 AND c.report_id = owned.id"
    ") "
    "SELECT 1 FROM owned"};

// $1 organization_id, $2 id, $3 position → data (bytea hex text).
constexpr db::Query k_select_chunk{
    "compliance.select_report_chunk",
    "SELECT c.data FROM compliance.report_chunks c JOIN compliance.reports r"
    "  ON r.organization_id = c.organization_id AND r.id = c.report_id "
    "WHERE r.organization_id = $1 AND r.id = $2 AND r.status = 'READY' AND c.position = $3"};

#undef PAYROLLX_REPORT_COLUMNS

constexpr std::string_view k_kinds[] = {"PAYROLL_REGISTER", "TAX_SUMMARY", "LEDGER_RECONCILIATION",
                                        "AUDIT_EXPORT", "LEGACY"};
constexpr std::string_view k_formats[] = {"CSV", "JSON", "PDF", "EXCEL"};
constexpr std::string_view k_statuses[] = {"PENDING", "RUNNING", "READY", "FAILED"};

template <class Enum, std::size_t N>
std::optional<Enum> enum_of(const std::string_view (&names)[N], std::string_view text) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) return static_cast<Enum>(i);
  return std::nullopt;
}

template <class Enum>
Enum stored(std::optional<Enum> value) {
  if (!value) throw std::logic_error("compliance: unknown report kind, format or status stored");
  return *value;
}

Report report_from(const db::Row& row) {
  Report report;
  report.id = row.get<Uuid>("id");
  report.organization_id = row.get<Uuid>("organization_id");
  report.request.kind = stored(report_kind_of(row.get<std::string>("kind")));
  report.request.format = stored(report_format_of(row.get<std::string>("format")));
  report.request.period_start = row.get<Date>("period_start");
  report.request.period_end = row.get<Date>("period_end");
  report.status = stored(enum_of<ReportStatus>(k_statuses, row.get<std::string>("status")));
  report.progress = static_cast<int>(row.get<std::int64_t>("progress"));
  report.rows = row.get<std::optional<std::int64_t>>("row_count");
  report.size = row.get<std::optional<std::int64_t>>("size");
  report.sha256 = row.get<std::optional<std::string>>("sha256");
  report.error = row.get<std::optional<std::string>>("error");
  report.created_by = row.get<std::optional<Uuid>>("created_by");
  report.created_at = row.get<Timestamp>("created_at");
  report.completed_at = row.get<std::optional<Timestamp>>("completed_at");
  report.attempt = static_cast<int>(row.get<std::int64_t>("attempts"));
  return report;
}

void require_owned(const db::Result& result, const Report& report) {
  if (result.size() == 0)
    throw ReportClaimLost("report " + report.id.str() + ": another maker took it over");
}

}  // namespace

std::string_view to_string(ReportKind kind) {
  return k_kinds[static_cast<std::size_t>(kind)];
}
std::string_view to_string(ReportFormat format) {
  return k_formats[static_cast<std::size_t>(format)];
}
std::string_view to_string(ReportStatus status) {
  return k_statuses[static_cast<std::size_t>(status)];
}
std::optional<ReportKind> report_kind_of(std::string_view text) {
  return enum_of<ReportKind>(k_kinds, text);
}
std::optional<ReportFormat> report_format_of(std::string_view text) {
  return enum_of<ReportFormat>(k_formats, text);
}

boost::json::object to_json(const Report& report) {
  auto optional_int = [](const std::optional<std::int64_t>& value) -> boost::json::value {
    if (!value) return nullptr;
    return *value;
  };
  auto optional_text = [](const std::optional<std::string>& value) -> boost::json::value {
    if (!value) return nullptr;
    return boost::json::value(*value);
  };
  boost::json::value created_by = nullptr;
  if (report.created_by) created_by = report.created_by->str();
  boost::json::value completed_at = nullptr;
  if (report.completed_at) completed_at = to_rfc3339(*report.completed_at);
  return {{"id", report.id.str()},
          {"kind", to_string(report.request.kind)},
          {"format", to_string(report.request.format)},
          {"periodStart", to_iso_date(report.request.period_start)},
          {"periodEnd", to_iso_date(report.request.period_end)},
          {"status", to_string(report.status)},
          {"progress", report.progress},
          {"rows", optional_int(report.rows)},
          {"size", optional_int(report.size)},
          {"sha256", optional_text(report.sha256)},
          {"error", optional_text(report.error)},
          {"createdBy", std::move(created_by)},
          {"createdAt", to_rfc3339(report.created_at)},
          {"completedAt", std::move(completed_at)}};
}

awaitable<Report> Reports::request(db::Tx& tx, const Uuid& organization_id,
                                   const ReportRequest& input, const Actor& actor) {
  auto inserted = co_await tx.query(k_insert, Uuid::random(), organization_id,
                                    to_string(input.kind), to_string(input.format),
                                    input.period_start, input.period_end, actor.user_id);
  auto report = report_from(inserted.one());
  AuditEntry entry{.organization_id = organization_id,
                   .actor = actor,
                   .action = "report.requested",
                   .entity_type = "report",
                   .entity_id = report.id,
                   .before = nullptr,
                   .after = to_json(report)};
  co_await audit_.append(tx, std::move(entry));
  co_return report;
}

awaitable<Report> Reports::get(const Uuid& organization_id, const Uuid& report_id) {
  auto result = co_await pool_.query(k_select, organization_id, report_id);
  auto row = result.first();
  if (!row) throw not_found("The report does not exist.");
  co_return report_from(*row);
}

awaitable<std::vector<Report>> Reports::list(const Uuid& organization_id,
                                             const http::PageRequest& page) {
  const auto after_created = page.after_created_at();
  const auto after_id = page.after_id();
  auto result =
      co_await pool_.query(k_select_page, organization_id, after_created, after_id, page.limit + 1);
  std::vector<Report> reports;
  for (auto row : result) reports.push_back(report_from(row));
  co_return reports;
}

awaitable<std::optional<std::string>> Reports::chunk(const Uuid& organization_id,
                                                     const Uuid& report_id, int position) {
  auto result = co_await pool_.query(k_select_chunk, organization_id, report_id,
                                     static_cast<std::int64_t>(position));
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return db::from_bytea_text(row->get<std::string>("data"));
}

awaitable<std::optional<Report>> Reports::claim(std::chrono::seconds lease) {
  auto result = co_await pool_.query(k_claim, static_cast<std::int64_t>(lease.count()));
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return report_from(*row);
}

awaitable<void> Reports::append(const Report& report, int position, std::string_view data,
                                int progress, std::chrono::seconds lease) {
  auto result = co_await pool_.query(
      k_append, report.organization_id, report.id, static_cast<std::int64_t>(report.attempt),
      static_cast<std::int64_t>(position), db::to_bytea_text(data),
      static_cast<std::int64_t>(progress), static_cast<std::int64_t>(lease.count()));
  require_owned(result, report);
}

awaitable<void> Reports::finish(const Report& report, std::int64_t rows, std::int64_t size,
                                const std::string& sha256) {
  auto result = co_await pool_.query(k_finish, report.organization_id, report.id,
                                     static_cast<std::int64_t>(report.attempt), rows, size, sha256);
  require_owned(result, report);
}

awaitable<void> Reports::fail(const Report& report, const std::string& error) {
  auto result = co_await pool_.query(k_fail, report.organization_id, report.id,
                                     static_cast<std::int64_t>(report.attempt), error);
  require_owned(result, report);
}

}  // namespace payrollx::compliance
