#pragma once
// The tax tables' storage (schema compliance, plus the core.currencies reference table): typed
// functions over a table and its brackets, their SQL private to tax_store.cpp. Private to the
// compliance module.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance::tax_store {

boost::asio::awaitable<bool> currency_known(db::Tx& tx, const std::string& code);
// Stores the table (its id, organisation, fields and brackets) in one statement, by `created_by`
// (none: the system); answers its created_at.
boost::asio::awaitable<Timestamp> insert(db::Tx& tx, const TaxTable& table,
                                         const std::optional<Uuid>& created_by);
// The table in effect on `day`: the latest effective_from on or before it, the newest created on
// a tie.
boost::asio::awaitable<std::optional<TaxTable>> select_effective(db::Session& session,
                                                                 const Uuid& organization_id,
                                                                 const std::string& currency,
                                                                 Date day);
// Up to `limit` tables, newest first, after the keyset (created_at, id) of the previous page's
// last row.
boost::asio::awaitable<std::vector<TaxTable>> select_page(
    db::Pool& pool, const Uuid& organization_id, const TaxTableFilter& filter,
    const std::optional<Timestamp>& after_created, const std::optional<Uuid>& after_id, int limit);

// {id,name,currency,effectiveFrom,brackets:[{upTo,rateBasisPoints}],standardDeduction,createdAt};
// the last bracket's upTo is null.
boost::json::object to_json(const TaxTable& table);

}  // namespace payrollx::compliance::tax_store
