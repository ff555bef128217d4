// Tax tables: storing a validated table with its audit entry, reading the one in effect for the
// payroll, listing them for the API.
#include <boost/json/array.hpp>
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/tax_store.hpp"

namespace payrollx::compliance {
namespace {

// The brackets column: [[up_to|null, rate], ...] in position order (never empty: a table is
// stored with at least one bracket, in the same statement).
std::vector<TaxBracket> brackets_from(const boost::json::value& pairs) {
  std::vector<TaxBracket> brackets;
  if (pairs.is_null()) return brackets;
  for (const auto& pair : pairs.as_array()) {
    const auto& items = pair.as_array();
    TaxBracket bracket;
    if (!items.at(0).is_null()) bracket.up_to = items.at(0).to_number<std::int64_t>();
    bracket.rate_basis_points = items.at(1).to_number<std::int64_t>();
    brackets.push_back(bracket);
  }
  return brackets;
}

}  // namespace

namespace tax_store {

TaxTable tax_table_from(const db::Row& row) {
  TaxTable table;
  table.id = row.get<Uuid>("id");
  table.organization_id = row.get<Uuid>("organization_id");
  table.name = row.get<std::string>("name");
  table.currency = row.get<std::string>("currency");
  table.effective_from = row.get<Date>("effective_from");
  table.standard_deduction = row.get<std::int64_t>("standard_deduction");
  table.created_at = row.get<Timestamp>("created_at");
  auto brackets = row.get<std::optional<boost::json::value>>("brackets");
  if (brackets) table.brackets = brackets_from(*brackets);
  return table;
}

boost::json::object to_json(const TaxTable& table) {
  boost::json::array brackets;
  for (const auto& bracket : table.brackets) {
    boost::json::value up_to = nullptr;
    if (bracket.up_to) up_to = *bracket.up_to;
    brackets.push_back(
        boost::json::object{{"upTo", up_to}, {"rateBasisPoints", bracket.rate_basis_points}});
  }
  return {{"id", table.id.str()},
          {"name", table.name},
          {"currency", table.currency},
          {"effectiveFrom", to_iso_date(table.effective_from)},
          {"brackets", std::move(brackets)},
          {"standardDeduction", table.standard_deduction},
          {"createdAt", to_rfc3339(table.created_at)}};
}

}  // namespace tax_store

boost::asio::awaitable<std::optional<TaxTable>> TaxTables::effective(db::Session& session,
                                                                     const Uuid& organization_id,
                                                                     const std::string& currency,
                                                                     Date date) {
  auto result =
      co_await session.query(tax_store::k_select_effective, organization_id, currency, date);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return tax_store::tax_table_from(*row);
}

boost::asio::awaitable<TaxTable> TaxTables::create(db::Tx& tx, const Uuid& organization_id,
                                                   const NewTaxTable& input, const Actor& actor) {
  if (input.brackets.empty()) throw std::logic_error("a tax table without brackets");
  auto known = co_await tx.query(tax_store::k_currency_known, input.currency);
  if (!known.one().get<bool>("known"))
    throw validation_failed("currency", "is not a currency this server knows");

  TaxTable table;
  table.id = Uuid::random();
  table.organization_id = organization_id;
  table.name = input.name;
  table.currency = input.currency;
  table.effective_from = input.effective_from;
  table.brackets = input.brackets;
  table.standard_deduction = input.standard_deduction;

  std::vector<std::int64_t> up_tos, rates;
  for (const auto& bracket : table.brackets) {
    up_tos.push_back(bracket.up_to.value_or(0));  // 0: none (see tax_store::k_insert)
    rates.push_back(bracket.rate_basis_points);
  }
  auto inserted = co_await tx.query(tax_store::k_insert, table.id, organization_id, table.name,
                                    table.currency, table.effective_from, table.standard_deduction,
                                    actor.user_id, up_tos, rates);
  table.created_at = inserted.one().get<Timestamp>("created_at");

  // Built before the co_await: GCC 12 cannot compile a braced initialiser inside one.
  AuditEntry entry{.organization_id = organization_id,
                   .actor = actor,
                   .action = "tax_table.created",
                   .entity_type = "tax_table",
                   .entity_id = table.id,
                   .before = nullptr,
                   .after = tax_store::to_json(table)};
  co_await audit_.append(tx, std::move(entry));
  co_return table;
}

boost::asio::awaitable<std::vector<TaxTable>> TaxTables::list(const Uuid& organization_id,
                                                              const TaxTableFilter& filter,
                                                              const http::PageRequest& page) {
  const auto after_created = page.after_created_at();
  const auto after_id = page.after_id();
  auto result = co_await pool_.query(tax_store::k_select_page, organization_id, filter.currency,
                                     filter.effective_on, after_created, after_id, page.limit + 1);
  std::vector<TaxTable> tables;
  tables.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) tables.push_back(tax_store::tax_table_from(row));
  co_return tables;
}

}  // namespace payrollx::compliance
