#pragma once
// Reading the audit log: what the routes (and tests) call besides AuditLog::append. Private to
// the compliance module.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/compliance/store.hpp"

namespace payrollx::db {
class Pool;
}

namespace payrollx::compliance {

// Up to `limit` entries of the organisation, newest first, after the entry `after` (the last one
// of the previous page).
boost::asio::awaitable<std::vector<store::StoredEntry>> list_entries(
    db::Pool& pool, const Uuid& organization_id, const AuditFilter& filter,
    const std::optional<Uuid>& after, int limit);

struct VerifyResult {
  bool ok = true;
  std::int64_t checked = 0;  // entries examined
  // The first entry whose seq, prev_hash or hash does not match its recomputed link; none when
  // every entry is intact but the chain head does not point at the last one (a lost tail).
  std::optional<Uuid> first_broken_id;
};

// Recomputes the organisation's chain in seq order, a batch at a time, in one snapshot.
boost::asio::awaitable<VerifyResult> verify_chain(db::Pool& pool, const Uuid& organization_id);

}  // namespace payrollx::compliance
