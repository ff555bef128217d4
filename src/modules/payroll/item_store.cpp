#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/db/session.hpp"
#include "modules/payroll/encoding.hpp"
#include "modules/payroll/item_rows.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll::store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_ITEM_COLUMNS_BUT_LINES                                                          \
  "id, run_id, employee_id, wallet_id, position, base_pay, earnings, gross, pre_tax_deductions," \
  " taxable, tax, post_tax_deductions, net, status, transaction_id, reversal_transaction_id"
#define PAYROLLX_ITEM_COLUMNS PAYROLLX_ITEM_COLUMNS_BUT_LINES ", lines"

// Every item of a run in one statement. $1 organization_id, $2 run_id, then one array per
// column: $3 id, $4 employee_id, $5 wallet_id, $6 position, $7 base_pay, $8 earnings, $9 gross,
// $10 pre_tax_deductions, $11 taxable, $12 tax, $13 post_tax_deductions, $14 net, $15 lines
// (JSON text). The arrays are unnested in the select list, side by side (a ProjectSet streams
// them): `FROM unnest(...)` first copies each array into a tuplestore of its own, which for a run
// of 100,000 held 89 MB of the backend's memory, mapped afresh by each new connection
// (docs/bench.md).
constexpr db::Query k_insert_items{
    "payroll.insert_items",
    "INSERT INTO payroll.payroll_items (id, organization_id, run_id, employee_id, wallet_id,"
    "  position, base_pay, earnings, gross, pre_tax_deductions, taxable, tax,"
    "  post_tax_deductions, net, lines) "
    "SELECT unnest($3::uuid[]), $1, $2, unnest($4::uuid[]), unnest($5::uuid[]),"
    "  unnest($6::bigint[])::integer, unnest($7::bigint[]), unnest($8::bigint[]),"
    "  unnest($9::bigint[]), unnest($10::bigint[]), unnest($11::bigint[]), unnest($12::bigint[]),"
    "  unnest($13::bigint[]), unnest($14::bigint[]), unnest($15::text[])::json"};

// $1 organization_id, $2 run_id.
constexpr db::Query k_delete_items{
    "payroll.delete_items",
    "DELETE FROM payroll.payroll_items WHERE organization_id = $1 AND run_id = $2"};

// $1 organization_id, $2 run_id: every item, in order, without its lines (paying and reversing
// a run read all its items and none of their lines).
constexpr db::Query k_select_items_to_pay{
    "payroll.select_items_to_pay",
    "SELECT " PAYROLLX_ITEM_COLUMNS_BUT_LINES
    " FROM payroll.payroll_items WHERE organization_id = $1 AND run_id = $2 ORDER BY position"};

// One page of a run's items in order. $1 organization_id, $2 run_id, $3 the previous page's
// last item or NULL, $4 limit.
constexpr db::Query k_select_items_page{
    "payroll.select_items_page",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND run_id = $2"
    "  AND ($3::uuid IS NULL OR position > (SELECT position FROM payroll.payroll_items"
    "                                       WHERE organization_id = $1 AND id = $3"
    "                                         AND run_id = $2)) "
    "ORDER BY position LIMIT $4"};

// The items that block an approval: a negative net, or a net above the cap ($3, NULL: none).
// $1 organization_id, $2 run_id.
constexpr db::Query k_select_blocking_items{
    "payroll.select_blocking_items",
    "SELECT employee_id, net FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND run_id = $2"
    "  AND (net < 0 OR ($3::bigint IS NOT NULL AND net > $3::bigint)) "
    "ORDER BY position"};

// $1 organization_id, $2 run_id, $3 employee_id.
constexpr db::Query k_select_item_of{
    "payroll.select_item_of",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items WHERE organization_id = $1 AND run_id = $2 AND employee_id = $3"};

// An employee's items of some runs. $1 organization_id, $2 employee_id, $3 run ids.
constexpr db::Query k_select_items_of{
    "payroll.select_items_of",
    "SELECT " PAYROLLX_ITEM_COLUMNS
    " FROM payroll.payroll_items "
    "WHERE organization_id = $1 AND employee_id = $2 AND run_id = ANY($3::uuid[])"};

#undef PAYROLLX_ITEM_COLUMNS
#undef PAYROLLX_ITEM_COLUMNS_BUT_LINES

// Every item of the run becomes PAID: $3[i] with its transaction $4[i], the items of $5 (a net of
// zero) without one. Only the items named are read (by key), never the organisation's others.
// $1 organization_id, $2 run_id, $3 item ids, $4 transaction ids, $5 item ids.
constexpr db::Query k_mark_items_paid{
    "payroll.mark_items_paid",
    "UPDATE payroll.payroll_items i SET status = 'PAID', transaction_id = p.transaction_id "
    "FROM (SELECT * FROM unnest($3::uuid[], $4::uuid[])"
    "      UNION ALL SELECT unnest($5::uuid[]), NULL) AS p(item_id, transaction_id) "
    "WHERE i.organization_id = $1 AND i.run_id = $2 AND i.id = p.item_id"
    "  AND i.status = 'PENDING'"};

// Every paid item of the run becomes REVERSED: $3[i] with its compensating transaction $4[i],
// the items of $5 (paid without a transaction) without one. $1 organization_id, $2 run_id,
// $3 item ids, $4 reversal transaction ids, $5 item ids.
constexpr db::Query k_mark_items_reversed{
    "payroll.mark_items_reversed",
    "UPDATE payroll.payroll_items i SET status = 'REVERSED',"
    "  reversal_transaction_id = p.reversal_id "
    "FROM (SELECT * FROM unnest($3::uuid[], $4::uuid[])"
    "      UNION ALL SELECT unnest($5::uuid[]), NULL) AS p(item_id, reversal_id) "
    "WHERE i.organization_id = $1 AND i.run_id = $2 AND i.id = p.item_id"
    "  AND i.status = 'PAID'"};

// $1 organization_id, $2 run_id.
constexpr db::Query k_cancel_items{
    "payroll.cancel_items",
    "UPDATE payroll.payroll_items SET status = 'CANCELLED' "
    "WHERE organization_id = $1 AND run_id = $2 AND status = 'PENDING'"};

// Year to date of an employee for each of some runs: the sums over the other COMPLETED runs in
// the run's currency paid in its calendar year up to its pay date (the run itself is added by
// the caller). Amounts of another currency are never summed with these.
// $1 organization_id, $2 employee_id, $3 run ids → run_id, gross, tax, net.
constexpr db::Query k_year_to_date{
    "payroll.year_to_date",
    "SELECT p.id AS run_id, coalesce(sum(i.gross), 0)::bigint AS gross,"
    "  coalesce(sum(i.tax), 0)::bigint AS tax, coalesce(sum(i.net), 0)::bigint AS net "
    "FROM payroll.payroll_runs p"
    "  LEFT JOIN payroll.payroll_runs r ON r.organization_id = $1 AND r.status = 'COMPLETED'"
    "    AND r.id <> p.id AND r.currency = p.currency AND r.pay_date <= p.pay_date"
    "    AND r.pay_date >= date_trunc('year', p.pay_date)::date"
    "  LEFT JOIN payroll.payroll_items i ON i.organization_id = $1 AND i.run_id = r.id"
    "    AND i.employee_id = $2 "
    "WHERE p.organization_id = $1 AND p.id = ANY($3::uuid[]) "
    "GROUP BY p.id"};

// The lines are written by this module only, so malformed ones are a bug: as_*() throws and the
// request fails as a 500, which is what a bug deserves.
std::vector<Line> lines_of(const boost::json::value& value) {
  std::vector<Line> lines;
  for (const auto& entry : value.as_array()) {
    const auto& object = entry.as_object();
    lines.push_back({.kind = std::string(object.at("kind").as_string()),
                     .name = std::string(object.at("name").as_string()),
                     .amount = object.at("amount").as_int64()});
  }
  return lines;
}

Item item_without_lines_from(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .run_id = row.get<Uuid>("run_id"),
          .employee_id = row.get<Uuid>("employee_id"),
          .wallet_id = row.get<Uuid>("wallet_id"),
          .position = row.get<int>("position"),
          .amounts = amounts_from(row),
          .status = k_item_statuses.stored(row.get<std::string>("status"),
                                           "payroll.payroll_items.status"),
          .transaction_id = row.get<std::optional<Uuid>>("transaction_id"),
          .reversal_transaction_id = row.get<std::optional<Uuid>>("reversal_transaction_id")};
}

Item item_from(const db::Row& row) {
  auto item = item_without_lines_from(row);
  item.amounts.lines = lines_of(row.get<boost::json::value>("lines"));
  return item;
}

std::vector<Item> items_of(const db::Result& result) {
  std::vector<Item> items;
  items.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) items.push_back(item_from(row));
  return items;
}

}  // namespace

Calculation amounts_from(const db::Row& row) {
  return {.base_pay = row.get<std::int64_t>("base_pay"),
          .earnings = row.get<std::int64_t>("earnings"),
          .gross = row.get<std::int64_t>("gross"),
          .pre_tax_deductions = row.get<std::int64_t>("pre_tax_deductions"),
          .taxable = row.get<std::int64_t>("taxable"),
          .tax = row.get<std::int64_t>("tax"),
          .post_tax_deductions = row.get<std::int64_t>("post_tax_deductions"),
          .net = row.get<std::int64_t>("net"),
          .lines = {}};
}

awaitable<void> insert_items(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                             const std::vector<Item>& items) {
  if (items.empty()) co_return;
  const auto n = items.size();
  std::vector<Uuid> ids, employee_ids, wallet_ids;
  std::vector<std::int64_t> positions, base, earnings, gross, pre_tax, taxable, tax, post_tax, net;
  std::vector<std::string> lines;
  for (auto* column : {&ids, &employee_ids, &wallet_ids}) column->reserve(n);
  for (auto* column :
       {&positions, &base, &earnings, &gross, &pre_tax, &taxable, &tax, &post_tax, &net})
    column->reserve(n);
  lines.reserve(n);
  for (const auto& item : items) {
    const auto& a = item.amounts;
    ids.push_back(item.id);
    employee_ids.push_back(item.employee_id);
    wallet_ids.push_back(item.wallet_id);
    positions.push_back(item.position);
    base.push_back(a.base_pay);
    earnings.push_back(a.earnings);
    gross.push_back(a.gross);
    pre_tax.push_back(a.pre_tax_deductions);
    taxable.push_back(a.taxable);
    tax.push_back(a.tax);
    post_tax.push_back(a.post_tax_deductions);
    net.push_back(a.net);
    lines.push_back(boost::json::serialize(encoding::lines(a.lines)));
  }
  co_await tx.query(k_insert_items, organization_id, run_id, ids, employee_ids, wallet_ids,
                    positions, base, earnings, gross, pre_tax, taxable, tax, post_tax, net, lines);
}

awaitable<void> delete_items(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id) {
  co_await tx.query(k_delete_items, organization_id, run_id);
}

awaitable<std::vector<Item>> select_items_to_pay(db::Tx& tx, const Uuid& organization_id,
                                                 const Uuid& run_id) {
  auto result = co_await tx.query(k_select_items_to_pay, organization_id, run_id);
  std::vector<Item> items;
  items.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) items.push_back(item_without_lines_from(row));
  co_return items;
}

awaitable<std::vector<Item>> select_items_page(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& run_id, const std::optional<Uuid>& after,
                                               int limit) {
  auto result = co_await tx.query(k_select_items_page, organization_id, run_id, after, limit);
  co_return items_of(result);
}

awaitable<std::vector<BlockingItem>> select_blocking_items(db::Tx& tx, const Uuid& organization_id,
                                                           const Uuid& run_id,
                                                           std::optional<std::int64_t> cap) {
  auto result = co_await tx.query(k_select_blocking_items, organization_id, run_id, cap);
  std::vector<BlockingItem> blocking;
  for (auto row : result)
    blocking.push_back(
        {.employee_id = row.get<Uuid>("employee_id"), .net = row.get<std::int64_t>("net")});
  co_return blocking;
}

awaitable<std::optional<Item>> select_item_of(db::Tx& tx, const Uuid& organization_id,
                                              const Uuid& run_id, const Uuid& employee_id) {
  auto result = co_await tx.query(k_select_item_of, organization_id, run_id, employee_id);
  auto row = result.first();  // a Row reads its Result: keep that alive
  if (!row) co_return std::nullopt;
  co_return item_from(*row);
}

awaitable<std::vector<Item>> select_items_of(db::Tx& tx, const Uuid& organization_id,
                                             const Uuid& employee_id,
                                             const std::vector<Uuid>& run_ids) {
  auto result = co_await tx.query(k_select_items_of, organization_id, employee_id, run_ids);
  co_return items_of(result);
}

awaitable<std::int64_t> mark_items_paid(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id,
                                        const std::vector<Uuid>& item_ids,
                                        const std::vector<Uuid>& transaction_ids,
                                        const std::vector<Uuid>& unpaid_item_ids) {
  auto marked = co_await tx.query(k_mark_items_paid, organization_id, run_id, item_ids,
                                  transaction_ids, unpaid_item_ids);
  co_return marked.affected();
}

awaitable<std::int64_t> mark_items_reversed(db::Tx& tx, const Uuid& organization_id,
                                            const Uuid& run_id, const std::vector<Uuid>& item_ids,
                                            const std::vector<Uuid>& reversal_ids,
                                            const std::vector<Uuid>& unpaid_item_ids) {
  auto marked = co_await tx.query(k_mark_items_reversed, organization_id, run_id, item_ids,
                                  reversal_ids, unpaid_item_ids);
  co_return marked.affected();
}

awaitable<void> cancel_items(db::Tx& tx, const Uuid& organization_id, const Uuid& run_id) {
  co_await tx.query(k_cancel_items, organization_id, run_id);
}

awaitable<std::map<Uuid, YearToDate>> year_to_date(db::Tx& tx, const Uuid& organization_id,
                                                   const Uuid& employee_id,
                                                   const std::vector<Uuid>& run_ids) {
  auto result = co_await tx.query(k_year_to_date, organization_id, employee_id, run_ids);
  std::map<Uuid, YearToDate> others;
  for (auto row : result)
    others[row.get<Uuid>("run_id")] = {.gross = row.get<std::int64_t>("gross"),
                                       .tax = row.get<std::int64_t>("tax"),
                                       .net = row.get<std::int64_t>("net")};
  co_return others;
}

}  // namespace payrollx::payroll::store
