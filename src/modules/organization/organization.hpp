#pragma once
// organization — organisations and their settings.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
namespace notification {
class Inbox;
}
class Suspensions;
}  // namespace payrollx

namespace payrollx::organization {

enum class Status { active, suspended };
std::string_view to_string(Status status);
Status status_of(std::string_view text);  // throws std::logic_error for an unknown one

struct Organization {
  Uuid id;
  std::string name;
  std::optional<std::string> country;  // ISO 3166-1 alpha-2
  std::optional<std::string> tax_id;
  std::vector<std::string> authorized_signers;  // Solana base58 public keys
  Status status = Status::active;
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
  Service(db::Pool& pool, compliance::AuditLog& audit, notification::Inbox& inbox);

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
  // SUPER_ADMIN: ACTIVE → SUSPENDED (its deliveries wait; every instance's Suspensions learns it
  // from a NOTIFY at commit) and back, audited ("organization.suspended" with the reason,
  // "organization.reactivated"). 409 invalid_state when it already is.
  boost::asio::awaitable<Organization> suspend(db::Tx& tx, const Uuid& organization_id,
                                               const std::string& reason,
                                               const compliance::Actor& actor);
  boost::asio::awaitable<Organization> reactivate(db::Tx& tx, const Uuid& organization_id,
                                                  const compliance::Actor& actor);
  // The ids of the suspended organisations, read now.
  boost::asio::awaitable<std::set<Uuid>> suspended();
  // 403 organization_suspended when it is suspended (sign-in, refresh, invitations).
  boost::asio::awaitable<void> require_active(db::Tx& tx, const Uuid& organization_id);

  // Every organisation, newest first: up to page.limit + 1 (an extra one means more follow).
  boost::asio::awaitable<std::vector<Organization>> list(const http::PageRequest& page);

  db::Pool& pool() { return pool_; }
  compliance::AuditLog& audit() { return audit_; }

 private:
  db::Pool& pool_;
  compliance::AuditLog& audit_;
  notification::Inbox& inbox_;
};

// `suspensions` is refreshed after each suspension or reactivation this instance makes (the
// watch refreshes it for the others' too).
void register_routes(http::Router& router, Service& service, Suspensions& suspensions);

// Keeps `suspensions` current on this instance: loads it at start, again whenever a change
// commits anywhere (LISTEN payrollx_organization_status) and every `poll` in case a
// notification was missed.
class SuspensionWatch {
 public:
  SuspensionWatch(boost::asio::any_io_executor executor, Service& service, Suspensions& suspensions,
                  std::string listen_conninfo, std::chrono::milliseconds poll);
  ~SuspensionWatch();
  SuspensionWatch(const SuspensionWatch&) = delete;
  SuspensionWatch& operator=(const SuspensionWatch&) = delete;
  void start();
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with its reloads in flight
};

}  // namespace payrollx::organization
