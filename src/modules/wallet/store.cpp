#include "modules/wallet/store.hpp"

namespace payrollx::wallet::store {

Wallet wallet_of(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .organization_id = row.get<Uuid>("organization_id"),
          .owner_type =
              k_owner_types.stored(row.get<std::string>("owner_type"), "wallet.wallets.owner_type"),
          .owner_id = row.get<Uuid>("owner_id"),
          .currency = row.get<std::string>("currency"),
          .balance = row.get<std::int64_t>("balance"),
          .held = row.get<std::int64_t>("held"),
          .status = k_statuses.stored(row.get<std::string>("status"), "wallet.wallets.status"),
          .created_at = row.get<Timestamp>("created_at")};
}

Entry entry_of(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .wallet_id = row.get<Uuid>("wallet_id"),
          .transaction_id = row.get<Uuid>("transaction_id"),
          .direction = row.get<std::string>("direction"),
          .amount = row.get<std::int64_t>("amount"),
          .balance_after = row.get<std::int64_t>("balance_after"),
          .currency = row.get<std::string>("currency"),
          .created_at = row.get<Timestamp>("created_at")};
}

}  // namespace payrollx::wallet::store
