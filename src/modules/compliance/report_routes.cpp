// POST and GET /api/v1/compliance/reports, /{id} and /{id}/download. The file is made in the
// background (src/reports); download streams it from its stored chunks, one at a time, so a
// file of any size is sent in bounded memory.
#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <memory>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr std::array<std::string_view, 4> k_requestable_kinds{
    "PAYROLL_REGISTER", "TAX_SUMMARY", "LEDGER_RECONCILIATION", "AUDIT_EXPORT"};
constexpr std::array<std::string_view, 2> k_requestable_formats{"CSV", "JSON"};

ReportRequest read_request(const http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto kind = reader.required_enum("kind", k_requestable_kinds);
  auto format = reader.required_enum("format", k_requestable_formats);
  auto start = reader.required_date("periodStart");
  auto end = reader.required_date("periodEnd");
  if (start && end && std::chrono::sys_days(*end) < std::chrono::sys_days(*start))
    reader.fail("periodEnd", "must not be before periodStart");
  reader.finish();
  return {.kind = *report_kind_of(*kind),
          .format = *report_format_of(*format),
          .period_start = *start,
          .period_end = *end};
}

awaitable<http::Response> request_report(Reports& reports, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto input = read_request(ctx);
  auto actor = actor_of(ctx);
  auto store = [&](db::Tx& tx) { return reports.request(tx, organization_id, input, actor); };
  auto report = co_await reports.pool().transaction(store);
  co_return http::Response::json(201, to_json(report));
}

awaitable<http::Response> list_reports(Reports& reports, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto found = co_await reports.list(ctx.user().org(), page);
  co_return http::Response::json(
      200, http::list_page(found, page.limit, [](const Report& r) { return to_json(r); }));
}

awaitable<http::Response> get_report(Reports& reports, http::RequestContext& ctx) {
  auto report = co_await reports.get(ctx.user().org(), ctx.id_param("id"));
  co_return http::Response::json(200, to_json(report));
}

std::string content_type_of(ReportFormat format) {
  return format == ReportFormat::json ? "application/json" : "text/csv; charset=utf-8";
}

// "payroll_register_2026-01-01_2026-03-31.csv"
std::string file_name_of(const Report& report) {
  std::string kind(to_string(report.request.kind));
  for (auto& c : kind)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return fmt::format("{}_{}_{}.{}", kind, to_iso_date(report.request.period_start),
                     to_iso_date(report.request.period_end),
                     report.request.format == ReportFormat::json ? "json" : "csv");
}

// RFC 9530: the sha-256 of the file, base64 between colons.
std::string repr_digest(const std::string& sha256_hex) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  sodium_hex2bin(digest.data(), digest.size(), sha256_hex.data(), sha256_hex.size(), nullptr,
                 nullptr, nullptr);
  std::array<char,
             sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)>
      encoded{};
  sodium_bin2base64(encoded.data(), encoded.size(), digest.data(), digest.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  return fmt::format("sha-256=:{}:", encoded.data());
}

awaitable<http::Response> download_report(Reports& reports, http::RequestContext& ctx) {
  const auto organization_id = ctx.user().org();
  auto report = co_await reports.get(organization_id, ctx.id_param("id"));
  if (report.request.kind == ReportKind::legacy)
    throw invalid_state(
        "The report was imported from the legacy services: only its metadata was carried over.");
  if (report.status != ReportStatus::ready)
    throw invalid_state(fmt::format("The report is {}, not READY.", to_string(report.status)));
  http::Response response;
  response.status = 200;
  response.content_type = content_type_of(report.request.format);
  response.headers.emplace_back("Content-Disposition",
                                fmt::format("attachment; filename=\"{}\"", file_name_of(report)));
  response.headers.emplace_back("Repr-Digest", repr_digest(*report.sha256));
  response.headers.emplace_back("X-Content-SHA256", *report.sha256);
  response.stream_size = static_cast<std::size_t>(*report.size);
  auto position = std::make_shared<int>(0);
  response.next_piece = [&reports, organization_id, id = report.id,
                         position]() -> awaitable<std::string> {
    auto chunk = co_await reports.chunk(organization_id, id, (*position)++);
    co_return chunk.value_or(std::string());
  };
  co_return response;
}

boost::json::value report_schema() {
  auto kinds = schema::enumeration(
      {"PAYROLL_REGISTER", "TAX_SUMMARY", "LEDGER_RECONCILIATION", "AUDIT_EXPORT", "LEGACY"});
  return schema::object(
      {{"id", schema::uuid()},
       {"kind", std::move(kinds)},
       {"format", schema::enumeration({"CSV", "JSON", "PDF", "EXCEL"})},
       {"periodStart", schema::date()},
       {"periodEnd", schema::date()},
       {"status", schema::enumeration({"PENDING", "RUNNING", "READY", "FAILED"})},
       {"progress", schema::integer(0)},
       {"rows", schema::nullable(schema::integer(0))},
       {"size", schema::nullable(schema::integer(0))},
       {"sha256", schema::nullable(schema::string(64, 64))},
       {"error", schema::nullable(schema::string())},
       {"createdBy", schema::nullable(schema::uuid())},
       {"createdAt", schema::date_time()},
       {"completedAt", schema::nullable(schema::date_time())}},
      {"id", "kind", "format", "periodStart", "periodEnd", "status", "progress", "createdAt"});
}

boost::json::value request_schema() {
  return schema::object({{"kind", schema::enumeration({"PAYROLL_REGISTER", "TAX_SUMMARY",
                                                       "LEDGER_RECONCILIATION", "AUDIT_EXPORT"})},
                         {"format", schema::enumeration({"CSV", "JSON"})},
                         {"periodStart", schema::date()},
                         {"periodEnd", schema::date()}},
                        {"kind", "format", "periodStart", "periodEnd"});
}

}  // namespace

void register_report_routes(http::Router& router, Reports& reports) {
  const auto access = http::Access::roles_of({Role::finance_manager});
  http::add_routes<Reports&>(
      router, "compliance", reports,
      {{.method = "POST",
        .pattern = "/api/v1/compliance/reports",
        .access = access,
        .doc = {.summary = "Request a report of an inclusive period (pay dates for the payroll "
                           "kinds, UTC dates for the others); it is made in the background",
                .request_schema = request_schema(),
                .response_schema = report_schema(),
                .success_status = 201},
        .handler = request_report},
       {.method = "GET",
        .pattern = "/api/v1/compliance/reports",
        .access = access,
        .doc = {.summary = "List the organisation's reports, newest first",
                .response_schema = schema::list_of(report_schema()),
                .query = http::page_query()},
        .handler = list_reports},
       {.method = "GET",
        .pattern = "/api/v1/compliance/reports/{id}",
        .access = access,
        .doc = {.summary = "A report, with its status and progress",
                .response_schema = report_schema()},
        .handler = get_report},
       {.method = "GET",
        .pattern = "/api/v1/compliance/reports/{id}/download",
        .access = access,
        .doc = {.summary = "The report's file (text/csv or application/json) with "
                           "Content-Disposition and its sha-256 (Repr-Digest, X-Content-SHA256); "
                           "409 invalid_state until READY"},
        .handler = download_report}});
}

}  // namespace payrollx::compliance
