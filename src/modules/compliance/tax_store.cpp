#include "modules/compliance/tax_store.hpp"

#include <boost/json/array.hpp>

#include "core/db/pool.hpp"

namespace payrollx::compliance::tax_store {
namespace {

using boost::asio::awaitable;

// A table's columns, its brackets as one JSON array of [up_to, rate_basis_points] pairs in
// position order (one round trip for the table and its brackets).
#define PAYROLLX_TAX_TABLE_COLUMNS                                                          \
  "t.id, t.organization_id, t.name, t.currency, t.effective_from, t.standard_deduction, "   \
  "t.created_at, (SELECT json_agg(json_build_array(b.up_to, b.rate_basis_points) ORDER BY " \
  "b.position) FROM compliance.tax_brackets b WHERE b.organization_id = t.organization_id " \
  "AND b.table_id = t.id)::text AS brackets"

// $1 currency code → known.
constexpr db::Query k_currency_known{
    "compliance.tax_currency_known",
    "SELECT EXISTS (SELECT 1 FROM core.currencies WHERE code = $1) AS known"};

// The table and its brackets in one statement. $1 id, $2 organization_id, $3 name, $4 currency,
// $5 effective_from, $6 standard_deduction, $7 created_by, $8 the brackets' up_to in order (0
// for none: a bigint array holds no NULL, and a real up_to is > 0), $9 their rates → created_at.
constexpr db::Query k_insert{
    "compliance.insert_tax_table",
    "WITH inserted AS ("
    "  INSERT INTO compliance.tax_tables (id, organization_id, name, currency, effective_from,"
    "    standard_deduction, created_by)"
    "  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at"
    "), brackets AS ("
    "  INSERT INTO compliance.tax_brackets (organization_id, table_id, position, up_to,"
    "    rate_basis_points)"
    "  SELECT $2, $1, (b.ordinal - 1)::smallint, NULLIF(b.up_to, 0), b.rate"
    "  FROM unnest($8::bigint[], $9::bigint[]) WITH ORDINALITY AS b(up_to, rate, ordinal)"
    ") SELECT created_at FROM inserted"};

// The table in effect: latest effective_from on or before the day, the newest created on a tie
// (id last, only so that the answer is deterministic). $1 organization_id, $2 currency, $3 day.
constexpr db::Query k_select_effective{
    "compliance.select_effective_tax_table",
    "SELECT " PAYROLLX_TAX_TABLE_COLUMNS
    " FROM compliance.tax_tables t "
    "WHERE t.organization_id = $1 AND t.currency = $2 AND t.effective_from <= $3 "
    "ORDER BY t.effective_from DESC, t.created_at DESC, t.id DESC LIMIT 1"};

// One page of the organisation's tables, newest first. $1 organization_id, $2 currency or NULL,
// $3 effective_on or NULL (then only the table in effect that day per currency, chosen as
// k_select_effective chooses), $4/$5 keyset (created_at, id) of the previous page's last row or
// NULL, $6 limit.
constexpr db::Query k_select_page{
    "compliance.select_tax_table_page",
    "SELECT " PAYROLLX_TAX_TABLE_COLUMNS
    " FROM compliance.tax_tables t "
    "WHERE t.organization_id = $1"
    "  AND ($2::text IS NULL OR t.currency = $2)"
    "  AND ($3::date IS NULL OR t.id IN ("
    "    SELECT DISTINCT ON (e.currency) e.id FROM compliance.tax_tables e"
    "    WHERE e.organization_id = $1 AND ($2::text IS NULL OR e.currency = $2)"
    "      AND e.effective_from <= $3::date"
    "    ORDER BY e.currency, e.effective_from DESC, e.created_at DESC, e.id DESC))"
    "  AND ($4::timestamptz IS NULL OR (t.created_at, t.id) < ($4::timestamptz, $5::uuid))"
    " ORDER BY t.created_at DESC, t.id DESC LIMIT $6"};

#undef PAYROLLX_TAX_TABLE_COLUMNS

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

}  // namespace

awaitable<bool> currency_known(db::Tx& tx, const std::string& code) {
  auto result = co_await tx.query(k_currency_known, code);
  co_return result.one().get<bool>("known");
}

awaitable<Timestamp> insert(db::Tx& tx, const TaxTable& table,
                            const std::optional<Uuid>& created_by) {
  std::vector<std::int64_t> up_tos, rates;
  for (const auto& bracket : table.brackets) {
    up_tos.push_back(bracket.up_to.value_or(0));  // 0: none (see k_insert)
    rates.push_back(bracket.rate_basis_points);
  }
  auto inserted =
      co_await tx.query(k_insert, table.id, table.organization_id, table.name, table.currency,
                        table.effective_from, table.standard_deduction, created_by, up_tos, rates);
  co_return inserted.one().get<Timestamp>("created_at");
}

awaitable<std::optional<TaxTable>> select_effective(db::Session& session,
                                                    const Uuid& organization_id,
                                                    const std::string& currency, Date day) {
  auto result = co_await session.query(k_select_effective, organization_id, currency, day);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return tax_table_from(*row);
}

awaitable<std::vector<TaxTable>> select_page(db::Pool& pool, const Uuid& organization_id,
                                             const TaxTableFilter& filter,
                                             const std::optional<Timestamp>& after_created,
                                             const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_page, organization_id, filter.currency,
                                    filter.effective_on, after_created, after_id, limit);
  std::vector<TaxTable> tables;
  tables.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) tables.push_back(tax_table_from(row));
  co_return tables;
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

}  // namespace payrollx::compliance::tax_store
