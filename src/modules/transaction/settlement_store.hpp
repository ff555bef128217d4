#pragma once
// The settlements' SQL that the transaction flows use (settlements.cpp): private to the module.
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "modules/transaction/transaction.hpp"

namespace payrollx::transaction::settlement_store {

// Queues a new withdrawal for the Solana adapter's job and wakes the jobs at commit.
boost::asio::awaitable<void> enqueue(db::Tx& tx, const Transaction& withdrawal);
// Fills `settlement` of the withdrawals among `transactions` that an adapter settles.
boost::asio::awaitable<void> attach(db::Session& session, const Uuid& organization_id,
                                    std::vector<Transaction>& transactions);
boost::asio::awaitable<void> attach(db::Pool& pool, const Uuid& organization_id,
                                    std::vector<Transaction>& transactions);
// 409 when an adapter settles the withdrawal: it completes it itself, on the chain's word.
boost::asio::awaitable<void> require_manual_completion(db::Tx& tx, const Transaction& withdrawal);
// Before a withdrawal is failed by hand: an adapter's settlement of it is closed for good, or
// 409 while a signed transaction of it may still land (failing it would pay the money twice).
boost::asio::awaitable<void> abandon_for_manual_failure(db::Tx& tx, const Transaction& withdrawal,
                                                        const std::string& reason);
// POST /settle: a retryable FAILED settlement is due again (false: there is none).
boost::asio::awaitable<bool> retry(db::Tx& tx, const Uuid& organization_id,
                                   const Uuid& transaction_id);

}  // namespace payrollx::transaction::settlement_store
