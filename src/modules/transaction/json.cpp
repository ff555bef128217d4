#include <boost/json/value.hpp>

#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction {
namespace {

template <class T>
boost::json::value or_null(const std::optional<T>& value) {
  if (!value) return nullptr;
  if constexpr (std::is_same_v<T, Uuid>)
    return boost::json::value(value->str());
  else if constexpr (std::is_same_v<T, Timestamp>)
    return boost::json::value(to_rfc3339(*value));
  else
    return boost::json::value(*value);
}

}  // namespace

boost::json::object to_json(const Transaction& transaction) {
  return {{"id", transaction.id.str()},
          {"type", transaction.type},
          {"status", transaction.status},
          {"amount", transaction.amount},
          {"currency", transaction.currency},
          {"fromWalletId", transaction.from_wallet_id.str()},
          {"toWalletId", transaction.to_wallet_id.str()},
          {"payrollRunId", or_null(transaction.payroll_run_id)},
          {"reference", or_null(transaction.reference)},
          {"notes", or_null(transaction.notes)},
          {"destinationAddress", or_null(transaction.destination_address)},
          {"externalReference", or_null(transaction.external_reference)},
          {"failureReason", or_null(transaction.failure_reason)},
          {"reversalOfId", or_null(transaction.reversal_of)},
          {"reversedById", or_null(transaction.reversed_by)},
          {"createdBy", or_null(transaction.created_by)},
          {"createdAt", to_rfc3339(transaction.created_at)},
          {"updatedAt", to_rfc3339(transaction.updated_at)},
          {"completedAt", or_null(transaction.completed_at)},
          {"source", to_string(transaction.source)}};
}

}  // namespace payrollx::transaction
