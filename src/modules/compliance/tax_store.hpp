#pragma once
// The tax tables' SQL (schema compliance, plus the core.currencies reference table) and the
// decoding and encoding of a table. Private to the compliance module.
#include <boost/json/object.hpp>

#include "core/db/query.hpp"
#include "core/db/result.hpp"
#include "modules/compliance/compliance.hpp"

namespace payrollx::compliance::tax_store {

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

// A row of k_select_effective or k_select_page.
TaxTable tax_table_from(const db::Row& row);
// {id,name,currency,effectiveFrom,brackets:[{upTo,rateBasisPoints}],standardDeduction,createdAt};
// the last bracket's upTo is null.
boost::json::object to_json(const TaxTable& table);

}  // namespace payrollx::compliance::tax_store
