#include "modules/transaction/schemas.hpp"

#include <boost/json/object.hpp>

#include "core/currency.hpp"
#include "core/http/pagination.hpp"
#include "core/http/schema.hpp"
#include "modules/transaction/rules.hpp"
#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction::schemas {
namespace {

namespace schema = http::schema;

boost::json::value nullable_uuid() {
  return schema::nullable(schema::uuid());
}
boost::json::value nullable_text(std::int64_t max_length) {
  return schema::nullable(schema::string(max_length));
}

}  // namespace

boost::json::value deposit() {
  return schema::object({{"amount", schema::integer(rules::k_amount.min)},
                         {"reference", schema::string(rules::k_reference)}},
                        {"amount", "reference"});
}

boost::json::value withdrawal() {
  return schema::object({{"amount", schema::integer(rules::k_amount.min)},
                         {"destinationAddress", schema::string(rules::k_address)}},
                        {"amount", "destinationAddress"});
}

boost::json::value transfer() {
  return schema::object({{"fromWalletId", schema::uuid()},
                         {"toWalletId", schema::uuid()},
                         {"amount", schema::integer(rules::k_amount.min)},
                         {"type", schema::enumeration(rules::k_transfer_types)},
                         {"notes", schema::string(rules::k_reason)}},
                        {"fromWalletId", "toWalletId", "amount", "type"});
}

boost::json::value transaction() {
  return schema::object(
      {{"id", schema::uuid()},
       {"type", schema::enumeration(k_types.names())},
       {"status", schema::enumeration(k_statuses.names())},
       {"amount", schema::integer(rules::k_amount.min)},
       {"currency", schema::string(k_currency_code)},
       {"fromWalletId", schema::uuid()},
       {"toWalletId", schema::uuid()},
       {"payrollRunId", nullable_uuid()},
       {"reference", nullable_text(rules::k_reference.max)},
       {"notes", nullable_text(rules::k_reason.max)},
       {"destinationAddress", nullable_text(rules::k_address.max)},
       {"externalReference", nullable_text(rules::k_reference.max)},
       {"failureReason", nullable_text(rules::k_reason.max)},
       {"reversalOfId", nullable_uuid()},
       {"reversedById", nullable_uuid()},
       {"createdBy", nullable_uuid()},
       {"createdAt", schema::date_time()},
       {"updatedAt", schema::date_time()},
       {"completedAt", schema::nullable(schema::date_time())},
       {"settlement",
        schema::described(
            schema::object({{"adapter", schema::enumeration({"solana", "manual"})},
                            {"status", schema::enumeration({"SUBMITTED", "CONFIRMED", "FINALIZED",
                                                            "EXPIRED", "FAILED"})},
                            {"retryable", schema::boolean()},
                            {"attempts", schema::integer(0)},
                            {"signature", schema::string(88, 64)},
                            {"lastError", schema::string(1000)}},
                           {"adapter", "attempts"}),
            "Withdrawals only. solana: paid on chain by the settlement job (no status until its "
            "first transaction is signed and stored; signature: the latest transaction's; "
            "retryable with FAILED: POST .../settle resumes it). manual: settled by hand.")},
       {"source",
        schema::described(
            schema::enumeration({"PAYROLLX", "LEGACY"}),
            "LEGACY: imported history from the legacy services; its money moved on chain "
            "(externalReference is the signature), so it has no wallet entries and cannot "
            "be reversed.")}},
      {"id", "type", "status", "amount", "currency", "fromWalletId", "toWalletId", "createdAt",
       "source"});
}

boost::json::value transaction_detail() {
  auto detail = transaction();
  auto& properties = detail.as_object()["properties"].as_object();
  properties["entries"] = schema::array(schema::any_object());
  properties["statusHistory"] =
      schema::array(schema::object({{"fromStatus", nullable_text(16)},
                                    {"toStatus", schema::string(16)},
                                    {"reason", nullable_text(rules::k_reason.max)},
                                    {"actorId", nullable_uuid()},
                                    {"createdAt", schema::date_time()}},
                                   {"fromStatus", "toStatus", "createdAt"}));
  return detail;
}

boost::json::value reconciliation() {
  return schema::object(
      {{"ok", schema::boolean()},
       {"wallets", schema::integer(0)},
       {"transactions", schema::integer(0)},
       {"mismatches", schema::array(schema::object({{"kind", schema::string()},
                                                    {"walletId", nullable_uuid()},
                                                    {"transactionId", nullable_uuid()},
                                                    {"detail", schema::string()}},
                                                   {"kind", "detail"}))}},
      {"ok", "wallets", "transactions", "mismatches"});
}

boost::json::value text_body(std::string_view key, json::StringRule rule) {
  return schema::object({{key, schema::string(rule)}}, {key});
}

std::vector<http::QueryParamDoc> list_query() {
  auto text = [](std::string_view format) { return schema::formatted(format); };
  return http::page_query(
      {{"walletId", "Transactions from or to this wallet.", schema::uuid()},
       {"employeeId", "Transactions from or to this employee's wallets.", schema::uuid()},
       {"payrollRunId", "Transactions of this payroll run.", schema::uuid()},
       {"type", "One transaction type.", schema::enumeration(k_types.names())},
       {"status", "One status.", schema::enumeration(k_statuses.names())},
       {"from", "Created at or after: RFC 3339, or a date (from its start).", text("date-time")},
       {"to", "Created at or before: RFC 3339, or a date (to its end).", text("date-time")}});
}

}  // namespace payrollx::transaction::schemas
