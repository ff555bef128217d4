// The settlements of withdrawals paid on chain: the rows an adapter's job moves along, the guard
// that keeps settlement by hand away from a withdrawal that may be paid on chain, and what a
// transaction shows of its settlement. The SQL lives here, behind these typed functions.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/db/bytea.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/invariant.hpp"
#include "core/utf8.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/transaction/settlement_store.hpp"
#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction {
namespace {

using boost::asio::awaitable;

constexpr std::array<std::string_view, 6> k_status_names{"QUEUED",    "SUBMITTED", "EXPIRED",
                                                         "CONFIRMED", "FINALIZED", "FAILED"};

#define PAYROLLX_CLAIMED_COLUMNS                                                        \
  "s.transaction_id, s.organization_id, s.claim, s.status, s.attempts, s.rpc_failures," \
  " s.signature, s.signed_transaction, s.last_valid_block_height, s.blockhash_slot,"    \
  " t.amount, t.currency, t.destination_address"

// Due settlements under a new lease. $1 limit, $2 lease seconds, $3 suspended organisations.
constexpr db::Query k_claim{
    "transaction.claim_settlements",
    "WITH due AS ("
    "  SELECT organization_id, transaction_id FROM transaction.settlements"
    "  WHERE status IN ('QUEUED', 'SUBMITTED', 'EXPIRED') AND next_attempt_at <= now()"
    "    AND (lease_until IS NULL OR lease_until < now())"
    "    AND organization_id <> ALL($3::uuid[])"
    "  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED"
    "), claimed AS ("
    "  UPDATE transaction.settlements s SET claim = gen_random_uuid(),"
    "    lease_until = now() + make_interval(secs => $2::bigint), updated_at = now()"
    "  FROM due WHERE s.organization_id = due.organization_id"
    "    AND s.transaction_id = due.transaction_id RETURNING s.*"
    ") SELECT " PAYROLLX_CLAIMED_COLUMNS
    " FROM claimed s JOIN transaction.transactions t"
    "  ON t.organization_id = s.organization_id AND t.id = s.transaction_id"};

// $1 transaction_id, $2 claim, $3 signature, $4 signed bytes (bytea text), $5 last valid block
// height, $6 blockhash slot, $7 organization_id. Only while nothing that may land is stored, and
// the withdrawal is still PENDING.
constexpr db::Query k_store_signed{
    "transaction.store_signed_settlement",
    "WITH stored AS ("
    "  UPDATE transaction.settlements s SET status = 'SUBMITTED', attempts = s.attempts + 1,"
    "    signature = $3, signed_transaction = $4::bytea, last_valid_block_height = $5::bigint,"
    "    blockhash_slot = $6::bigint, rpc_failures = 0, last_error = NULL, updated_at = now()"
    "  FROM transaction.transactions t"
    "  WHERE s.organization_id = $7 AND s.transaction_id = $1 AND s.claim = $2"
    "    AND s.status IN ('QUEUED', 'EXPIRED')"
    "    AND s.signed_transaction IS NULL AND t.organization_id = $7"
    "    AND t.id = s.transaction_id AND t.status = 'PENDING'"
    "  RETURNING s.transaction_id, s.organization_id, s.attempts"
    ") INSERT INTO transaction.settlement_attempts (transaction_id, attempt, organization_id,"
    "    signature, signed_transaction, last_valid_block_height, blockhash_slot)"
    "  SELECT transaction_id, attempts, organization_id, $3, $4::bytea, $5::bigint, $6::bigint"
    "  FROM stored"
    "  RETURNING 1"};

// $1 transaction_id, $2 claim, $3 max attempts, $4 organization_id. The stored bytes can never land
// now: dropped from the row (the attempt row keeps them).
constexpr db::Query k_expire{
    "transaction.expire_settlement",
    "UPDATE transaction.settlements SET"
    "  status = CASE WHEN attempts >= $3::integer THEN 'FAILED' ELSE 'EXPIRED' END,"
    "  retryable = attempts >= $3::integer,"
    "  last_error = CASE WHEN attempts >= $3::integer"
    "    THEN format('%s transactions expired without landing', attempts) END,"
    "  signed_transaction = NULL, claim = NULL, lease_until = NULL, updated_at = now() "
    "WHERE organization_id = $4 AND transaction_id = $1 AND claim = $2 AND status = 'SUBMITTED' "
    "RETURNING 1"};

// $1 transaction_id, $2 claim, $3 delay in milliseconds, $4 organization_id.
constexpr db::Query k_later{
    "transaction.settlement_later",
    "UPDATE transaction.settlements SET rpc_failures = 0, claim = NULL, lease_until = NULL,"
    "  next_attempt_at = now() + make_interval(secs => $3::bigint / 1000.0), updated_at = now() "
    "WHERE organization_id = $4 AND transaction_id = $1 AND claim = $2 RETURNING 1"};

// $1 transaction_id, $2 claim, $3 error, $4 delay in milliseconds, $5 max failures,
// $6 organization_id.
constexpr db::Query k_rpc_failed{
    "transaction.settlement_rpc_failed",
    "UPDATE transaction.settlements SET rpc_failures = rpc_failures + 1, last_error = $3,"
    "  status = CASE WHEN rpc_failures + 1 >= $5::integer THEN 'FAILED' ELSE status END,"
    "  retryable = rpc_failures + 1 >= $5::integer,"
    "  claim = NULL, lease_until = NULL,"
    "  next_attempt_at = now() + make_interval(secs => $4::bigint / 1000.0), updated_at = now() "
    "WHERE organization_id = $6 AND transaction_id = $1 AND claim = $2 RETURNING 1"};

// $1 transaction_id, $2 claim, $3 final status, $4 error, $5 organization_id. Ends the job's work
// on it.
constexpr db::Query k_settle{
    "transaction.settle_settlement",
    "UPDATE transaction.settlements SET status = $3, last_error = $4, signed_transaction = NULL,"
    "  retryable = false, claim = NULL, lease_until = NULL, updated_at = now() "
    "WHERE organization_id = $5 AND transaction_id = $1 AND claim = $2 AND status = 'SUBMITTED'"
    "  AND signed_transaction IS NOT NULL RETURNING 1"};

// A withdrawal queued for the job; wakes the jobs at commit. $1 transaction_id,
// $2 organization_id, $3 adapter.
constexpr db::Query k_enqueue{
    "transaction.enqueue_settlement",
    "WITH queued AS ("
    "  INSERT INTO transaction.settlements (transaction_id, organization_id, adapter, status)"
    "  VALUES ($1, $2, $3, 'QUEUED') RETURNING 1"
    ") SELECT pg_notify('payrollx_settlements', '') FROM queued"};

#define PAYROLLX_SETTLEMENT_COLUMNS                                                                \
  "transaction_id, status, retryable, attempts, signature, last_error, signed_transaction IS NOT " \
  "NULL AS in_flight"

// $1 organization_id, $2 transaction_id: the row, locked against the job's next step.
constexpr db::Query k_lock{"transaction.lock_settlement",
                           "SELECT " PAYROLLX_SETTLEMENT_COLUMNS
                           " FROM transaction.settlements"
                           " WHERE organization_id = $1 AND transaction_id = $2 FOR UPDATE"};

// $1 organization_id, $2 transaction ids.
constexpr db::Query k_select{"transaction.select_settlements",
                             "SELECT " PAYROLLX_SETTLEMENT_COLUMNS
                             " FROM transaction.settlements"
                             " WHERE organization_id = $1 AND transaction_id = ANY($2::uuid[])"};

// Settled by hand while nothing may land: FAILED for good. $1 organization_id, $2 id, $3 reason.
constexpr db::Query k_abandon{
    "transaction.abandon_settlement",
    "UPDATE transaction.settlements SET status = 'FAILED', retryable = false, last_error = $3,"
    "  claim = NULL, lease_until = NULL, updated_at = now() "
    "WHERE organization_id = $1 AND transaction_id = $2 AND signed_transaction IS NULL"
    "  AND status IN ('QUEUED', 'EXPIRED', 'FAILED') RETURNING 1"};

// POST /settle. $1 organization_id, $2 transaction_id.
constexpr db::Query k_retry{
    "transaction.retry_settlement",
    "WITH resumed AS ("
    "  UPDATE transaction.settlements SET"
    "    status = CASE WHEN signed_transaction IS NOT NULL THEN 'SUBMITTED'"
    "      WHEN attempts > 0 THEN 'EXPIRED' ELSE 'QUEUED' END,"
    "    retryable = false, rpc_failures = 0, next_attempt_at = now(), claim = NULL,"
    "    lease_until = NULL, updated_at = now()"
    "  WHERE organization_id = $1 AND transaction_id = $2 AND status = 'FAILED' AND retryable"
    "  RETURNING 1"
    ") SELECT pg_notify('payrollx_settlements', '') FROM resumed"};

#undef PAYROLLX_CLAIMED_COLUMNS
#undef PAYROLLX_SETTLEMENT_COLUMNS

std::optional<SettlementStatus> status_named(std::string_view text) {
  auto found = std::find(k_status_names.begin(), k_status_names.end(), text);
  if (found == k_status_names.end()) return std::nullopt;
  return static_cast<SettlementStatus>(found - k_status_names.begin());
}

ClaimedSettlement claimed_of(const db::Row& row) {
  ClaimedSettlement claimed{
      .transaction_id = row.get<Uuid>("transaction_id"),
      .organization_id = row.get<Uuid>("organization_id"),
      .claim = row.get<Uuid>("claim"),
      .status = settlement_status_of(row.get<std::string>("status")),
      .attempts = static_cast<int>(row.get<std::int64_t>("attempts")),
      .rpc_failures = static_cast<int>(row.get<std::int64_t>("rpc_failures")),
      .signature = row.get<std::optional<std::string>>("signature"),
      .signed_transaction = std::nullopt,
      .last_valid_block_height = row.get<std::optional<std::int64_t>>("last_valid_block_height"),
      .blockhash_slot = row.get<std::optional<std::int64_t>>("blockhash_slot"),
      .amount = row.get<std::int64_t>("amount"),
      .currency = row.get<std::string>("currency"),
      .destination_address =
          row.get<std::optional<std::string>>("destination_address").value_or("")};
  if (auto text = row.get<std::optional<std::string>>("signed_transaction")) {
    auto bytes = db::from_bytea_text(*text);
    claimed.signed_transaction = std::vector<std::uint8_t>(bytes.begin(), bytes.end());
  }
  // A row the job may send must say what it sends: the CHECKs of the table keep this.
  PAYROLLX_INVARIANT(
      claimed.signed_transaction.has_value() == (claimed.status == SettlementStatus::submitted),
      "a claimed settlement holds signed bytes exactly when it is SUBMITTED");
  PAYROLLX_INVARIANT(
      !claimed.signed_transaction || (claimed.signature && claimed.last_valid_block_height),
      "stored bytes come with their signature and last valid block height");
  return claimed;
}

struct SettlementRow {
  Uuid transaction_id;
  Settlement settlement;
  bool in_flight = false;  // a signed transaction that may still land is stored
};

SettlementRow settlement_of(const db::Row& row) {
  return {.transaction_id = row.get<Uuid>("transaction_id"),
          .settlement = {.status = settlement_status_of(row.get<std::string>("status")),
                         .retryable = row.get<bool>("retryable"),
                         .attempts = static_cast<int>(row.get<std::int64_t>("attempts")),
                         .signature = row.get<std::optional<std::string>>("signature"),
                         .last_error = row.get<std::optional<std::string>>("last_error")},
          .in_flight = row.get<bool>("in_flight")};
}

std::vector<Uuid> withdrawal_ids(const std::vector<Transaction>& transactions) {
  std::vector<Uuid> ids;
  for (const auto& transaction : transactions)
    if (transaction.type == Type::withdrawal) ids.push_back(transaction.id);
  return ids;
}

void attach_rows(const db::Result& result, std::vector<Transaction>& transactions) {
  for (auto row : result) {
    auto found = settlement_of(row);
    for (auto& transaction : transactions)
      if (transaction.id == found.transaction_id) transaction.settlement = found.settlement;
  }
}

// Text from elsewhere (a node's error, a person's reason) cut to the columns' 1000 characters'
// worth of bytes, never inside a character.
std::string column_text(std::string_view text) {
  return std::string(utf8_prefix(text, 1000));
}

// Thrown inside a settlement's database transaction when its claim was lost, to roll back what
// the withdrawal's side already wrote.
struct ClaimLost {};

bool changed(const db::Result& result) {
  return result.size() > 0;
}

// The job acts for no person.
compliance::Actor system_actor() {
  return {.user_id = std::nullopt, .request_id = "settlement"};
}

}  // namespace

std::string_view to_string(SettlementStatus status) {
  return k_status_names.at(static_cast<std::size_t>(status));
}

SettlementStatus settlement_status_of(std::string_view text) {
  auto status = status_named(text);
  if (!status) throw std::logic_error("transaction: unknown settlement status stored");
  return *status;
}

namespace settlement_store {

awaitable<void> enqueue(db::Tx& tx, const Transaction& withdrawal) {
  co_await tx.query(k_enqueue, withdrawal.id, withdrawal.organization_id, std::string("solana"));
}

awaitable<void> attach(db::Session& session, const Uuid& organization_id,
                       std::vector<Transaction>& transactions) {
  auto withdrawals = withdrawal_ids(transactions);
  if (withdrawals.empty()) co_return;
  attach_rows(co_await session.query(k_select, organization_id, withdrawals), transactions);
}

awaitable<void> attach(db::Pool& pool, const Uuid& organization_id,
                       std::vector<Transaction>& transactions) {
  auto withdrawals = withdrawal_ids(transactions);
  if (withdrawals.empty()) co_return;
  attach_rows(co_await pool.query(k_select, organization_id, withdrawals), transactions);
}

awaitable<void> require_manual_completion(db::Tx& tx, const Transaction& withdrawal) {
  auto result = co_await tx.query(k_lock, withdrawal.organization_id, withdrawal.id);
  if (result.first())
    throw invalid_state(
        "The withdrawal is paid on chain by the Solana adapter, which completes it once the "
        "chain confirms it; it cannot be completed by hand.");
}

awaitable<void> abandon_for_manual_failure(db::Tx& tx, const Transaction& withdrawal,
                                           const std::string& reason) {
  auto result = co_await tx.query(k_lock, withdrawal.organization_id, withdrawal.id);
  auto row = result.first();
  if (!row) co_return;
  auto found = settlement_of(*row);
  const bool resting = found.settlement.status == SettlementStatus::queued ||
                       found.settlement.status == SettlementStatus::expired ||
                       found.settlement.status == SettlementStatus::failed;
  if (found.in_flight || !resting)
    throw invalid_state(
        "A signed transaction of this withdrawal may still land on chain; it cannot be failed "
        "by hand until the chain has said it did not (retry the settlement with POST "
        "/api/v1/transactions/{id}/settle to find out).");
  auto abandoned = co_await tx.query(k_abandon, withdrawal.organization_id, withdrawal.id,
                                     column_text("failed by hand: " + reason));
  PAYROLLX_INVARIANT(changed(abandoned), "a resting settlement locked above is abandoned");
}

awaitable<bool> retry(db::Tx& tx, const Uuid& organization_id, const Uuid& transaction_id) {
  auto result = co_await tx.query(k_retry, organization_id, transaction_id);
  co_return changed(result);
}

}  // namespace settlement_store

awaitable<std::vector<ClaimedSettlement>> Settlements::claim(int limit, std::chrono::seconds lease,
                                                             const std::vector<Uuid>& suspended) {
  auto result = co_await service_.pool().query(k_claim, static_cast<std::int64_t>(limit),
                                               static_cast<std::int64_t>(lease.count()), suspended);
  std::vector<ClaimedSettlement> claimed;
  for (auto row : result) claimed.push_back(claimed_of(row));
  co_return claimed;
}

awaitable<bool> Settlements::store_signed(const ClaimedSettlement& settlement,
                                          const SignedSettlement& signed_settlement) {
  const auto& bytes = signed_settlement.bytes;
  const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto result = co_await service_.pool().query(
      k_store_signed, settlement.transaction_id, settlement.claim, signed_settlement.signature,
      db::to_bytea_text(raw), signed_settlement.last_valid_block_height,
      signed_settlement.blockhash_slot, settlement.organization_id);
  co_return changed(result);
}

awaitable<bool> Settlements::expire(const ClaimedSettlement& settlement, int max_attempts) {
  auto result = co_await service_.pool().query(
      k_expire, settlement.transaction_id, settlement.claim,
      static_cast<std::int64_t>(max_attempts), settlement.organization_id);
  co_return changed(result);
}

awaitable<bool> Settlements::later(const ClaimedSettlement& settlement,
                                   std::chrono::milliseconds delay) {
  auto result = co_await service_.pool().query(k_later, settlement.transaction_id, settlement.claim,
                                               static_cast<std::int64_t>(delay.count()),
                                               settlement.organization_id);
  co_return changed(result);
}

awaitable<bool> Settlements::rpc_failed(const ClaimedSettlement& settlement,
                                        const std::string& error, std::chrono::milliseconds delay,
                                        int max_failures) {
  auto result = co_await service_.pool().query(
      k_rpc_failed, settlement.transaction_id, settlement.claim, column_text(error),
      static_cast<std::int64_t>(delay.count()), static_cast<std::int64_t>(max_failures),
      settlement.organization_id);
  co_return changed(result);
}

// Both outcomes lock the withdrawal first (complete_settled and fail_settled do), then the
// settlement: the order of the flows by hand, so that the two never wait on each other in a cycle.
awaitable<bool> Settlements::landed(const ClaimedSettlement& settlement, SettlementStatus status) {
  PAYROLLX_INVARIANT(status == SettlementStatus::confirmed || status == SettlementStatus::finalized,
                     "a settlement lands CONFIRMED or FINALIZED");
  PAYROLLX_INVARIANT(settlement.signature.has_value(), "a landed settlement has its signature");
  auto body = [&](db::Tx& tx) -> awaitable<void> {
    auto completed = co_await service_.complete_settled(tx, settlement.organization_id,
                                                        settlement.transaction_id,
                                                        *settlement.signature, system_actor());
    PAYROLLX_INVARIANT(completed.status == Status::completed,
                       "the settled withdrawal is COMPLETED");
    auto settled = co_await tx.query(k_settle, settlement.transaction_id, settlement.claim,
                                     std::string(to_string(status)), std::optional<std::string>(),
                                     settlement.organization_id);
    if (!changed(settled)) throw ClaimLost{};
  };
  co_return co_await settle(body);
}

awaitable<bool> Settlements::failed_on_chain(const ClaimedSettlement& settlement,
                                             const std::string& error) {
  auto body = [&](db::Tx& tx) -> awaitable<void> {
    auto failed =
        co_await service_.fail_settled(tx, settlement.organization_id, settlement.transaction_id,
                                       column_text("failed on chain: " + error), system_actor());
    PAYROLLX_INVARIANT(failed.status == Status::failed, "the settled withdrawal is FAILED");
    auto settled = co_await tx.query(k_settle, settlement.transaction_id, settlement.claim,
                                     std::string(to_string(SettlementStatus::failed)),
                                     column_text(error), settlement.organization_id);
    if (!changed(settled)) throw ClaimLost{};
  };
  co_return co_await settle(body);
}

awaitable<bool> Settlements::settle(std::function<awaitable<void>(db::Tx&)> body) {
  try {
    co_await service_.pool().transaction(body);
  } catch (const ClaimLost&) {
    co_return false;
  }
  co_return true;
}

}  // namespace payrollx::transaction
