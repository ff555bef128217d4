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

// A withdrawal's settlement: the adapter's state, or "manual" for one settled by hand (no
// status: there is nothing between PENDING and COMPLETED or FAILED to show).
boost::json::object settlement_json(const std::optional<Settlement>& settlement) {
  if (!settlement) return {{"adapter", "manual"}, {"attempts", 0}};
  boost::json::object answer{{"adapter", "solana"}, {"attempts", settlement->attempts}};
  // QUEUED is the job's own state: nothing was built yet, so there is no status to show.
  if (settlement->status != SettlementStatus::queued)
    answer["status"] = to_string(settlement->status);
  if (settlement->status == SettlementStatus::failed) answer["retryable"] = settlement->retryable;
  if (settlement->signature) answer["signature"] = *settlement->signature;
  if (settlement->last_error) answer["lastError"] = *settlement->last_error;
  return answer;
}

boost::json::object fields_json(const Transaction& transaction) {
  return {{"id", transaction.id.str()},
          {"type", to_string(transaction.type)},
          {"status", to_string(transaction.status)},
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

}  // namespace

boost::json::object to_json(const Transaction& transaction) {
  auto answer = fields_json(transaction);
  if (transaction.type == Type::withdrawal && transaction.source == Source::payrollx)
    answer["settlement"] = settlement_json(transaction.settlement);
  return answer;
}

}  // namespace payrollx::transaction
