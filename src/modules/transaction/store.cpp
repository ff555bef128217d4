#include "modules/transaction/store.hpp"

#include <stdexcept>

namespace payrollx::transaction {

// The text is the column's (transaction.transactions.source) and the API's.
std::string_view to_string(Source source) {
  return source == Source::legacy ? "LEGACY" : "PAYROLLX";
}

Source source_of(std::string_view text) {
  if (text == "PAYROLLX") return Source::payrollx;
  if (text == "LEGACY") return Source::legacy;
  throw std::logic_error("an unknown transaction source");
}

}  // namespace payrollx::transaction

namespace payrollx::transaction::store {

Transaction transaction_of(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .type = k_types.stored(row.get<std::string>("type"), "transaction.transactions.type"),
          .status =
              k_statuses.stored(row.get<std::string>("status"), "transaction.transactions.status"),
          .amount = row.get<std::int64_t>("amount"),
          .currency = row.get<std::string>("currency"),
          .from_wallet_id = row.get<Uuid>("from_wallet_id"),
          .to_wallet_id = row.get<Uuid>("to_wallet_id"),
          .payroll_run_id = row.get<std::optional<Uuid>>("payroll_run_id"),
          .reference = row.get<std::optional<std::string>>("reference"),
          .notes = row.get<std::optional<std::string>>("notes"),
          .destination_address = row.get<std::optional<std::string>>("destination_address"),
          .external_reference = row.get<std::optional<std::string>>("external_reference"),
          .failure_reason = row.get<std::optional<std::string>>("failure_reason"),
          .reversal_of = row.get<std::optional<Uuid>>("reversal_of"),
          .reversed_by = row.get<std::optional<Uuid>>("reversed_by"),
          .created_by = row.get<std::optional<Uuid>>("created_by"),
          .created_at = row.get<Timestamp>("created_at"),
          .updated_at = row.get<Timestamp>("updated_at"),
          .completed_at = row.get<std::optional<Timestamp>>("completed_at"),
          .source = source_of(row.get<std::string>("source"))};
}

}  // namespace payrollx::transaction::store
