#pragma once
// compliance — the append-only business audit log with a per-organisation SHA-256 hash chain,
// and the tax tables payroll withholds by; reports come later.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "modules/compliance/chain.hpp"  // public: the legacy import chains its rows itself

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
  // Records the entry in the caller's transaction: it commits or rolls back with the change.
  // The chain head is taken in a before-commit hook, as late as possible (see service.cpp).
  boost::asio::awaitable<void> append(db::Tx& tx, AuditEntry entry);
  // Any number of entries (bulk work such as an import) in the caller's transaction: one
  // before-commit hook seals them all, with one head take and one multi-row INSERT per
  // organisation. The chain is the same as appending them one by one, in this order.
  boost::asio::awaitable<void> append_many(db::Tx& tx, std::vector<AuditEntry> entries);
};

// Tax tables (API.md compliance section): annual progressive brackets per organisation and
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
  explicit TaxTables(db::Pool& pool) : pool_(pool) {}
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
  AuditLog audit_;
};

void register_routes(http::Router& router, db::Pool& pool);
// POST and GET /api/v1/compliance/tax-tables.
void register_tax_table_routes(http::Router& router, TaxTables& tax_tables);

}  // namespace payrollx::compliance
