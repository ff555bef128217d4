#pragma once
// compliance — the append-only business audit log with a per-organisation SHA-256 hash chain
// (this leaf); tax tables and reports come later.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/uuid.hpp"

namespace payrollx {
namespace db {
class Pool;
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
  // Records the entry in the caller's transaction: it commits or rolls back with the change.
  // The chain head is taken in a before-commit hook, as late as possible (see service.cpp).
  boost::asio::awaitable<void> append(db::Tx& tx, AuditEntry entry);
  // Any number of entries (bulk work such as an import) in the caller's transaction: one
  // before-commit hook seals them all, with one head take and one multi-row INSERT per
  // organisation. The chain is the same as appending them one by one, in this order.
  boost::asio::awaitable<void> append_many(db::Tx& tx, std::vector<AuditEntry> entries);
};

void register_routes(http::Router& router, db::Pool& pool);

}  // namespace payrollx::compliance
