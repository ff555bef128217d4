// Tax tables: storing a validated table with its audit entry, reading the one in effect for the
// payroll, listing them for the API.
#include <stdexcept>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/tax_store.hpp"

namespace payrollx::compliance {

boost::asio::awaitable<std::optional<TaxTable>> TaxTables::effective(db::Session& session,
                                                                     const Uuid& organization_id,
                                                                     const std::string& currency,
                                                                     Date date) {
  co_return co_await tax_store::select_effective(session, organization_id, currency, date);
}

boost::asio::awaitable<TaxTable> TaxTables::create(db::Tx& tx, const Uuid& organization_id,
                                                   const NewTaxTable& input, const Actor& actor) {
  if (input.brackets.empty()) throw std::logic_error("a tax table without brackets");
  const bool known = co_await tax_store::currency_known(tx, input.currency);
  if (!known) throw validation_failed("currency", "is not a currency this server knows");

  TaxTable table;
  table.id = Uuid::random();
  table.organization_id = organization_id;
  table.name = input.name;
  table.currency = input.currency;
  table.effective_from = input.effective_from;
  table.brackets = input.brackets;
  table.standard_deduction = input.standard_deduction;
  table.created_at = co_await tax_store::insert(tx, table, actor.user_id);

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
  co_return co_await tax_store::select_page(pool_, organization_id, filter, page.after_created_at(),
                                            page.after_id(), page.limit + 1);
}

}  // namespace payrollx::compliance
