#pragma once
// organization — organisations and their settings.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/http/pagination.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx {
namespace db {
class Pool;
class Tx;
}  // namespace db
namespace http {
class Router;
}
namespace compliance {
class AuditLog;
struct Actor;
}  // namespace compliance
}  // namespace payrollx

namespace payrollx::organization {

struct Organization {
  Uuid id;
  std::string name;
  std::optional<std::string> country;  // ISO 3166-1 alpha-2
  std::optional<std::string> tax_id;
  std::vector<std::string> authorized_signers;  // Solana base58 public keys
  std::string status;                           // ACTIVE, SUSPENDED
  Timestamp created_at;
  Timestamp updated_at;
};

struct Settings {
  std::string base_currency = "USD";
  bool require_distinct_approver = true;
  bool kyc_required_for_payroll = true;
  std::optional<std::int64_t> max_net_per_employee;  // minor units of base_currency
  std::string timezone = "UTC";
};

struct NewOrganization {
  std::string name;
  std::string base_currency;
};

// A partial update: absent fields stay as they are.
struct OrganizationPatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> country;  // a value, or null to clear it
  std::optional<std::optional<std::string>> tax_id;   // a value, or null to clear it
  std::optional<std::vector<std::string>> authorized_signers;
};

boost::json::object to_json(const Organization& organization);
boost::json::object to_json(const Settings& settings);

class Service {
 public:
  Service(db::Pool& pool, compliance::AuditLog& audit);

  // Creates the organisation and its default settings in the caller's transaction, audited.
  // 409 conflict when the name is taken; 400 for an unknown currency.
  boost::asio::awaitable<Organization> create(db::Tx& tx, const NewOrganization& input,
                                              const compliance::Actor& actor);
  // 404 when it does not exist.
  boost::asio::awaitable<Organization> get(db::Tx& tx, const Uuid& organization_id);
  boost::asio::awaitable<Settings> settings(db::Tx& tx, const Uuid& organization_id);
  // The same reads outside a transaction.
  boost::asio::awaitable<Organization> get(const Uuid& organization_id);
  boost::asio::awaitable<Settings> settings(const Uuid& organization_id);

  // Locks the organisation, applies the patch and audits "organization.updated" (a patch that
  // changes nothing writes nothing). 409 conflict when the new name is taken.
  boost::asio::awaitable<Organization> update(db::Tx& tx, const Uuid& organization_id,
                                              const OrganizationPatch& patch,
                                              const compliance::Actor& actor);
  // Replaces the settings, audited ("organization.settings_updated"). 400 validation_failed for
  // a currency not in core.currencies or a time zone PostgreSQL does not know.
  boost::asio::awaitable<Settings> replace_settings(db::Tx& tx, const Uuid& organization_id,
                                                    const Settings& settings,
                                                    const compliance::Actor& actor);
  // Every organisation, newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Organization>> list(const http::PageRequest& page);

  db::Pool& pool() { return pool_; }
  compliance::AuditLog& audit() { return audit_; }

 private:
  db::Pool& pool_;
  compliance::AuditLog& audit_;
};

void register_routes(http::Router& router, Service& service);

}  // namespace payrollx::organization
