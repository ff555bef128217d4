// The audit export's rows for the report maker: entries of UTC dates [from, to] in chain order,
// a page at a time by seq, read in the maker's snapshot.
#include "core/db/pool.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

// The period as instants: [from 00:00 UTC, the day after `to` 00:00 UTC).
#define PAYROLLX_AUDIT_PERIOD                                                       \
  "organization_id = $1 AND created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'" \
  "  AND created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'"

// $1 organization_id, $2 from, $3 to.
constexpr db::Query k_count{
    "compliance.count_audit_export",
    "SELECT count(*) AS n FROM compliance.audit_logs WHERE " PAYROLLX_AUDIT_PERIOD};

// $1 organization_id, $2 from, $3 to, $4 after this seq, $5 limit.
constexpr db::Query k_page{
    "compliance.audit_export_page",
    "SELECT seq, id, created_at, actor_id, action, entity_type, entity_id, request_id,"
    "  before::text AS before, after::text AS after, prev_hash, hash "
    "FROM compliance.audit_logs WHERE " PAYROLLX_AUDIT_PERIOD
    " AND seq > $4::bigint "
    "ORDER BY seq LIMIT $5"};

#undef PAYROLLX_AUDIT_PERIOD

}  // namespace

boost::asio::awaitable<std::int64_t> count_audit_export(db::Session& session,
                                                        const Uuid& organization_id, Date from,
                                                        Date to) {
  auto result = co_await session.query(k_count, organization_id, from, to);
  co_return result.one().get<std::int64_t>("n");
}

boost::asio::awaitable<std::vector<AuditExportRow>> audit_export_page(db::Session& session,
                                                                      const Uuid& organization_id,
                                                                      Date from, Date to,
                                                                      std::int64_t after_seq,
                                                                      int limit) {
  auto result = co_await session.query(k_page, organization_id, from, to, after_seq, limit);
  std::vector<AuditExportRow> rows;
  rows.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result)
    rows.push_back({.seq = row.get<std::int64_t>("seq"),
                    .id = row.get<Uuid>("id"),
                    .created_at = row.get<Timestamp>("created_at"),
                    .actor_id = row.get<std::optional<Uuid>>("actor_id"),
                    .action = row.get<std::string>("action"),
                    .entity_type = row.get<std::string>("entity_type"),
                    .entity_id = row.get<std::optional<Uuid>>("entity_id"),
                    .request_id = row.get<std::optional<std::string>>("request_id"),
                    .before = row.get<std::optional<std::string>>("before"),
                    .after = row.get<std::optional<std::string>>("after"),
                    .prev_hash = row.get<std::string>("prev_hash"),
                    .hash = row.get<std::string>("hash")});
  co_return rows;
}

}  // namespace payrollx::compliance
