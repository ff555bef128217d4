#pragma once
// The wallet module's storage (schema wallet only): typed functions over wallets, holds and
// entries, their SQL private to the store's .cpp files (store.cpp: wallets and holds,
// ledger_store.cpp: posting and entries, books_store.cpp: the reconciliation's reads). Private
// to the wallet module.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "modules/wallet/wallet.hpp"

namespace payrollx::wallet::store {

// Wallets and holds (store.cpp).

// Any number of wallets, answered in the order of `wallets`. Throws db::Error: a unique violation
// (wallets_owner_key) when an owner already has the currency, a foreign-key violation on an
// unknown currency.
boost::asio::awaitable<std::vector<Wallet>> insert_many(db::Tx& tx, const Uuid& organization_id,
                                                        const std::vector<NewWallet>& wallets);
// The clearing wallet of a currency, opened when missing, locked either way.
boost::asio::awaitable<Wallet> open_external(db::Tx& tx, const Uuid& organization_id,
                                             const std::string& currency);
// None when the wallet is not the organisation's.
boost::asio::awaitable<std::optional<Wallet>> select(db::Session& session,
                                                     const Uuid& organization_id,
                                                     const Uuid& wallet_id);
boost::asio::awaitable<std::optional<Wallet>> select(db::Pool& pool, const Uuid& organization_id,
                                                     const Uuid& wallet_id);
boost::asio::awaitable<std::optional<Wallet>> select_by_owner(db::Session& session,
                                                              const Uuid& organization_id,
                                                              OwnerType owner_type,
                                                              const Uuid& owner_id,
                                                              const std::string& currency);
// Locks those of the wallets that are the organisation's, in one total order (clearing wallets
// last, the others by id), and answers them in that order.
boost::asio::awaitable<std::vector<Wallet>> lock(db::Tx& tx, const Uuid& organization_id,
                                                 const std::vector<Uuid>& wallet_ids);
// The same lock without reading the wallets back: answers how many distinct ones it locked.
boost::asio::awaitable<std::int64_t> lock_all(db::Tx& tx, const Uuid& organization_id,
                                              const std::vector<Uuid>& wallet_ids);
// The organisation's wallets (an EMPLOYEE's own when `employee_id` is set), newest first, after
// the keyset (created_at, id) of the previous page's last row; up to `limit`.
boost::asio::awaitable<std::vector<Wallet>> select_page(
    db::Pool& pool, const Uuid& organization_id, const std::optional<Uuid>& employee_id,
    const std::optional<Timestamp>& after_created_at, const std::optional<Uuid>& after_id,
    int limit);

// Places a hold of `amount` for `reference` on a wallet whose available money covers it; false
// (nothing changed) when it does not.
boost::asio::awaitable<bool> hold(db::Tx& tx, const Uuid& organization_id, const Uuid& wallet_id,
                                  const Uuid& reference, std::int64_t amount);
// Releases the active hold of `reference` and answers its amount; none when there is none.
boost::asio::awaitable<std::optional<std::int64_t>> release(db::Tx& tx, const Uuid& organization_id,
                                                            const Uuid& reference);

// Posting and entries (ledger_store.cpp).

// Applies the legs in one statement, or nothing when a non-external wallet would go below its
// held amount: then the shortages are answered. Otherwise the written entries, in leg order,
// when `answer_entries`. Throws db::Error (numeric value out of range) on a balance beyond
// bigint.
boost::asio::awaitable<Service::Posting> post(db::Tx& tx, const Uuid& organization_id,
                                              const std::vector<Leg>& legs, bool answer_entries);
// A wallet's statement, newest first, after the entry `after` (the previous page's last) or from
// the newest; up to `limit`.
boost::asio::awaitable<std::vector<Entry>> select_entries(db::Pool& pool,
                                                          const Uuid& organization_id,
                                                          const Uuid& wallet_id,
                                                          const std::optional<Uuid>& after,
                                                          int limit);
// The entries of some transactions, in the order they were written.
boost::asio::awaitable<std::vector<Entry>> select_entries_of(
    db::Session& session, const Uuid& organization_id, const std::vector<Uuid>& transaction_ids);

// The reconciliation's reads (books_store.cpp).

// One broken rule of the books as the database finds it: kind (balance_mismatch,
// balance_after_mismatch, held_mismatch, unbalanced_transaction, currency_not_zero), what the
// rule expects and what is stored.
struct BrokenRule {
  std::string kind;
  std::optional<Uuid> wallet_id;
  std::optional<Uuid> transaction_id;
  std::int64_t expected = 0;
  std::int64_t actual = 0;
};
boost::asio::awaitable<std::vector<BrokenRule>> select_broken_rules(db::Session& session,
                                                                    const Uuid& organization_id);
boost::asio::awaitable<std::int64_t> count(db::Session& session, const Uuid& organization_id);
// Per transaction, the amount its entries credited.
boost::asio::awaitable<std::vector<std::pair<Uuid, std::int64_t>>> select_credited(
    db::Session& session, const Uuid& organization_id);
// The active holds: (reference, amount).
boost::asio::awaitable<std::vector<std::pair<Uuid, std::int64_t>>> select_active_holds(
    db::Session& session, const Uuid& organization_id);

}  // namespace payrollx::wallet::store
