#pragma once
// The organization module's storage (schema organization, plus the core.currencies reference
// table): typed functions over organisations and their settings, their SQL private to store.cpp.
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "modules/organization/organization.hpp"

namespace payrollx::organization::store {

// The organisation and its default settings. Throws db::Error: a unique violation on a taken
// name, a foreign-key violation on an unknown currency.
boost::asio::awaitable<Organization> insert(db::Tx& tx, const std::string& name,
                                            const std::string& base_currency);
// None when it does not exist.
boost::asio::awaitable<std::optional<Organization>> select(db::Tx& tx, const Uuid& id);
boost::asio::awaitable<std::optional<Organization>> select(db::Pool& pool, const Uuid& id);
// The same, its row locked until COMMIT (FOR NO KEY UPDATE: the id never changes, and a plain
// FOR UPDATE would also block every foreign-key check on this organisation until then).
boost::asio::awaitable<std::optional<Organization>> lock(db::Tx& tx, const Uuid& id);
// Stores `wanted`'s name, country, tax id and signers; answers the stored row. Throws db::Error
// (unique violation) on a taken name.
boost::asio::awaitable<Organization> update(db::Tx& tx, const Organization& wanted);
// Tells every instance's suspension watch to look again (at COMMIT).
boost::asio::awaitable<Organization> set_status(db::Tx& tx, const Uuid& id, Status status);
boost::asio::awaitable<std::set<Uuid>> select_suspended(db::Pool& pool);
// None when it does not exist.
boost::asio::awaitable<std::optional<Status>> select_status(db::Tx& tx, const Uuid& id);
// All organisations (the platform admin's list), newest first, after the keyset (created_at,
// id) of the previous page's last row.
boost::asio::awaitable<std::vector<Organization>> select_page(
    db::Pool& pool, const std::optional<Timestamp>& after_created_at,
    const std::optional<Uuid>& after_id, int limit);

boost::asio::awaitable<std::optional<Settings>> select_settings(db::Tx& tx,
                                                                const Uuid& organization_id);
boost::asio::awaitable<std::optional<Settings>> select_settings(db::Pool& pool,
                                                                const Uuid& organization_id);
// Locked until COMMIT (NO KEY UPDATE).
boost::asio::awaitable<std::optional<Settings>> lock_settings(db::Tx& tx,
                                                              const Uuid& organization_id);
boost::asio::awaitable<Settings> update_settings(db::Tx& tx, const Uuid& organization_id,
                                                 const Settings& settings);

// Whether the references of some settings exist.
struct SettingsReferences {
  bool currency_known = false;
  bool timezone_known = false;
};
boost::asio::awaitable<SettingsReferences> check_settings_references(db::Tx& tx,
                                                                     const std::string& currency,
                                                                     const std::string& timezone);

}  // namespace payrollx::organization::store
