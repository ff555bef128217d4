// POST and GET /api/v1/compliance/tax-tables: annual progressive brackets per currency.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "core/currency.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/tax_store.hpp"

namespace payrollx::compliance {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr json::StringRule k_name_rule{1, 200};
constexpr std::size_t k_max_brackets = 50;
constexpr std::int64_t k_max_basis_points = 10000;

// One bracket; its errors name it ("brackets[2].upTo") and join the body's.
std::optional<TaxBracket> read_bracket(const boost::json::value& item, std::size_t index,
                                       json::FieldReader& outer) {
  const auto field = fmt::format("brackets[{}]", index);
  if (!item.is_object()) {
    outer.fail(field, "must be an object");
    return std::nullopt;
  }
  json::FieldReader reader(item.get_object(), field);
  auto up_to = reader.optional_int("upTo", {.min = 1});
  auto rate = reader.required_int("rateBasisPoints", {.min = 0, .max = k_max_basis_points});
  const bool ok = reader.ok();
  try {
    reader.finish();
  } catch (const Problem& problem) {
    for (const auto& error : problem.errors()) outer.errors().push_back(error);
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return TaxBracket{.up_to = up_to, .rate_basis_points = *rate};
}

// The rules across brackets: every one but the last is bounded, the last is not (it takes
// everything above), and the bounds ascend strictly (an equal bound would be an empty bracket,
// a lower one a bracket taxed twice). A bracket that failed on another field is still checked
// here; an upTo that is itself invalid has its error already. One error per field at most.
void check_bracket_order(const boost::json::array& items, json::FieldReader& reader) {
  std::optional<std::int64_t> previous;
  std::size_t previous_index = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) continue;
    const auto* value = items[i].get_object().if_contains("upTo");
    const bool present = value && !value->is_null();
    std::optional<std::int64_t> up_to;
    if (present && value->is_int64() && value->get_int64() > 0) up_to = value->get_int64();
    const auto field = fmt::format("brackets[{}].upTo", i);
    if (i + 1 == items.size()) {
      if (up_to) reader.fail(field, "must be absent on the last bracket, which has no upper bound");
    } else if (!present) {
      reader.fail(field, "is required on every bracket but the last");
    } else if (up_to && previous && *up_to <= *previous) {
      reader.fail(field, fmt::format("must be greater than brackets[{}].upTo ({})", previous_index,
                                     *previous));
    }
    if (up_to) {
      previous = up_to;
      previous_index = i;
    }
  }
}

NewTaxTable read_new_table(const http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto name = reader.required_string("name", k_name_rule);
  auto currency = reader.required_string("currency", k_currency_code);
  if (currency && !is_currency_code(*currency)) reader.fail("currency", not_a_currency_code());
  auto effective_from = reader.required_date("effectiveFrom");
  auto standard_deduction = reader.optional_int("standardDeduction", {.min = 0});
  std::vector<std::optional<TaxBracket>> brackets;
  const auto* items = reader.required_array("brackets", k_max_brackets);
  if (items && items->empty()) reader.fail("brackets", "must have at least one bracket");
  if (items) {
    for (std::size_t i = 0; i < items->size(); ++i)
      brackets.push_back(read_bracket((*items)[i], i, reader));
    check_bracket_order(*items, reader);
  }
  reader.finish();
  NewTaxTable table{.name = std::move(*name),
                    .currency = std::move(*currency),
                    .effective_from = *effective_from,
                    .brackets = {},
                    .standard_deduction = standard_deduction.value_or(0)};
  for (auto& bracket : brackets) table.brackets.push_back(*bracket);
  return table;
}

TaxTableFilter read_filter(const http::Request& request) {
  TaxTableFilter filter;
  std::vector<FieldError> errors;
  if (auto currency = request.query_param("currency")) {
    if (is_currency_code(*currency))
      filter.currency = std::string(*currency);
    else
      errors.push_back({"currency", not_a_currency_code()});
  }
  if (auto day = request.query_param("effectiveOn")) {
    filter.effective_on = parse_date(*day);
    if (!filter.effective_on) errors.push_back({"effectiveOn", "must be a date (YYYY-MM-DD)"});
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return filter;
}

awaitable<http::Response> create_table(TaxTables& tables, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto input = read_new_table(ctx);
  auto actor = actor_of(ctx);
  auto create = [&](db::Tx& tx) { return tables.create(tx, organization_id, input, actor); };
  auto table = co_await tables.pool().transaction(create);
  co_return http::Response::json(201, tax_store::to_json(table));
}

awaitable<http::Response> list_tables(TaxTables& tables, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto filter = read_filter(ctx.request());
  auto found = co_await tables.list(ctx.user().org(), filter, page);
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(found.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(tax_store::to_json(found[i]));
  if (found.size() > shown) next = http::Keyset{found[shown - 1].created_at, found[shown - 1].id};
  co_return http::Response::json(200, http::list_answer(std::move(data), next));
}

boost::json::value rate_schema() {
  auto rate = schema::integer(0);
  rate.as_object()["maximum"] = k_max_basis_points;
  rate.as_object()["description"] =
      "The rate on the part of the annual taxable amount inside this bracket, in basis points "
      "(1/100 of a percent).";
  return rate;
}

boost::json::value brackets_schema(bool answer) {
  auto up_to = schema::integer(1);
  up_to.as_object()["description"] =
      "Upper bound (inclusive) of the bracket, in minor units of annual taxable pay; required on "
      "every bracket but the last, absent on the last, strictly ascending.";
  auto bracket =
      answer ? schema::object({{"upTo", schema::nullable(std::move(up_to))},
                               {"rateBasisPoints", rate_schema()}},
                              {"upTo", "rateBasisPoints"})
             : schema::object({{"upTo", std::move(up_to)}, {"rateBasisPoints", rate_schema()}},
                              {"rateBasisPoints"});
  auto brackets = schema::array(std::move(bracket));
  brackets.as_object()["minItems"] = 1;
  brackets.as_object()["maxItems"] = k_max_brackets;
  return brackets;
}

boost::json::value standard_deduction_schema() {
  auto deduction = schema::integer(0);
  deduction.as_object()["description"] =
      "Subtracted from the annual taxable pay before the brackets apply, in minor units of "
      "currency; default 0.";
  return deduction;
}

boost::json::value table_schema() {
  return schema::object(
      {{"id", schema::uuid()},
       {"name", schema::string(k_name_rule)},
       {"currency", schema::currency_code()},
       {"effectiveFrom", schema::date()},
       {"brackets", brackets_schema(true)},
       {"standardDeduction", standard_deduction_schema()},
       {"createdAt", schema::date_time()}},
      {"id", "name", "currency", "effectiveFrom", "brackets", "standardDeduction", "createdAt"});
}

boost::json::value new_table_schema() {
  return schema::object({{"name", schema::string(k_name_rule)},
                         {"currency", schema::currency_code()},
                         {"effectiveFrom", schema::date()},
                         {"brackets", brackets_schema(false)},
                         {"standardDeduction", standard_deduction_schema()}},
                        {"name", "currency", "effectiveFrom", "brackets"});
}

std::vector<http::QueryParamDoc> list_query_docs() {
  return http::page_query(
      {{"currency", "Only the tables of this currency.", schema::currency_code()},
       {"effectiveOn",
        "Only the tables in effect on this day (YYYY-MM-DD): per currency, the one with the "
        "latest effectiveFrom on or before it (the newest created on a tie).",
        schema::date()}});
}

}  // namespace

void register_tax_table_routes(http::Router& router, TaxTables& tax_tables) {
  const auto access = http::Access::roles_of({Role::finance_manager});
  http::add_routes<TaxTables&>(
      router, "compliance", tax_tables,
      {{.method = "POST",
        .pattern = "/api/v1/compliance/tax-tables",
        .access = access,
        .doc = {.summary = "Create a tax table: annual progressive brackets for one currency, in "
                           "effect from a date",
                .request_schema = new_table_schema(),
                .response_schema = table_schema(),
                .success_status = 201},
        .handler = create_table},
       {.method = "GET",
        .pattern = "/api/v1/compliance/tax-tables",
        .access = access,
        .doc = {.summary = "List the organisation's tax tables, newest first",
                .response_schema = schema::list_of(table_schema()),
                .query = list_query_docs()},
        .handler = list_tables}});
}

}  // namespace payrollx::compliance
