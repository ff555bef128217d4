// The audit export's rows for the report maker: entries of UTC dates [from, to] in chain order,
// a page at a time by seq, read in the maker's snapshot.
#include "core/db/pool.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance {
namespace {

// The sealed entries of the period, as instants: [from 00:00 UTC, the day after `to` 00:00 UTC).
// The maker seals the queue first (maker.cpp), so every change committed before is among them.
#define PAYROLLX_AUDIT_PERIOD                                                                 \
  "compliance.audit_seals s JOIN compliance.audit_logs e"                                     \
  "  ON e.organization_id = s.organization_id AND e.id = s.entry_id "                         \
  "WHERE s.organization_id = $1 AND e.created_at >= ($2::date)::timestamp AT TIME ZONE 'UTC'" \
  "  AND e.created_at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'"

// $1 organization_id, $2 from, $3 to.
constexpr db::Query k_count{"compliance.count_audit_export",
                            "SELECT count(*) AS n FROM " PAYROLLX_AUDIT_PERIOD};

// $1 organization_id, $2 from, $3 to, $4 after this seq, $5 limit.
constexpr db::Query k_page{
    "compliance.audit_export_page",
    "SELECT s.seq, e.id, e.created_at, e.actor_id, e.action, e.entity_type, e.entity_id,"
    "  e.request_id, e.before::text AS before, e.after::text AS after, s.prev_hash, s.hash "
    "FROM " PAYROLLX_AUDIT_PERIOD
    " AND s.seq > $4::bigint "
    "ORDER BY s.seq LIMIT $5"};

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
