// The wallets and their holds: opening, reading and locking wallets, placing and releasing
// holds.
#include "modules/wallet/store.hpp"

#include "core/db/pool.hpp"

namespace payrollx::wallet::store {
namespace {

using boost::asio::awaitable;

#define PAYROLLX_WALLET_COLUMNS \
  "id, organization_id, owner_type, owner_id, currency, balance, held, status, created_at"

// Any number of wallets. $1 organization_id, $2 id[], $3 owner_type[], $4 owner_id[],
// $5 currency[]. Unique violation (wallets_owner_key) when an owner already has the currency;
// foreign-key violation on an unknown currency.
constexpr db::Query k_insert_many{
    "wallet.insert_wallets",
    "INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency) "
    "SELECT id, $1, owner_type, owner_id, currency "
    "FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[])"
    "  WITH ORDINALITY AS w(id, owner_type, owner_id, currency, position) "
    "ORDER BY position RETURNING " PAYROLLX_WALLET_COLUMNS};

// The clearing wallet of a currency, opened when missing, locked either way (DO UPDATE locks the
// existing row and returns it). $1 id (used when new), $2 organization_id, $3 currency.
constexpr db::Query k_open_external{
    "wallet.open_external",
    "INSERT INTO wallet.wallets AS w (id, organization_id, owner_type, owner_id, currency) "
    "VALUES ($1, $2, 'EXTERNAL', $2, $3) "
    "ON CONFLICT ON CONSTRAINT wallets_owner_key DO UPDATE SET updated_at = w.updated_at "
    "RETURNING " PAYROLLX_WALLET_COLUMNS};

// $1 organization_id, $2 id.
constexpr db::Query k_select{"wallet.select", "SELECT " PAYROLLX_WALLET_COLUMNS
                                              " FROM wallet.wallets "
                                              "WHERE id = $2 AND organization_id = $1"};

// $1 organization_id, $2 owner_type, $3 owner_id, $4 currency.
constexpr db::Query k_select_by_owner{
    "wallet.select_by_owner",
    "SELECT " PAYROLLX_WALLET_COLUMNS
    " FROM wallet.wallets "
    "WHERE organization_id = $1 AND owner_type = $2 AND owner_id = $3 AND currency = $4"};

// Locks wallets in one total order — clearing wallets last, the others by id — so concurrent
// movements never wait on each other in a cycle (rows are locked in the ORDER BY's order).
// $1 organization_id, $2 id[].
constexpr db::Query k_lock{"wallet.lock", "SELECT " PAYROLLX_WALLET_COLUMNS
                                          " FROM wallet.wallets "
                                          "WHERE organization_id = $1 AND id = ANY($2::uuid[]) "
                                          "ORDER BY owner_type = 'EXTERNAL', id FOR NO KEY UPDATE"};

// The same lock, counting the rows instead of answering them. $1 organization_id, $2 id[].
constexpr db::Query k_lock_all{"wallet.lock_all",
                               "SELECT count(*) AS locked FROM ("
                               "  SELECT id FROM wallet.wallets"
                               "  WHERE organization_id = $1 AND id = ANY($2::uuid[])"
                               "  ORDER BY owner_type = 'EXTERNAL', id FOR NO KEY UPDATE) locked"};

// The organisation's wallets (an EMPLOYEE's own when $2 is set), newest first.
// $1 organization_id, $2 employee owner or NULL, $3/$4 keyset or NULL, $5 limit.
constexpr db::Query k_select_page{
    "wallet.select_page",
    "SELECT " PAYROLLX_WALLET_COLUMNS
    " FROM wallet.wallets "
    "WHERE organization_id = $1"
    "  AND ($2::uuid IS NULL OR (owner_type = 'EMPLOYEE' AND owner_id = $2))"
    "  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid)) "
    "ORDER BY created_at DESC, id DESC LIMIT $5"};

// Places a hold on a wallet whose available money covers it; no row when it does not.
// $1 organization_id, $2 wallet_id, $3 hold id, $4 reference, $5 amount.
constexpr db::Query k_hold{
    "wallet.hold",
    "WITH held AS ("
    "  UPDATE wallet.wallets SET held = held + $5, updated_at = now()"
    "  WHERE id = $2 AND organization_id = $1 AND balance - held >= $5"
    "  RETURNING id"
    ") INSERT INTO wallet.holds (id, organization_id, wallet_id, reference, amount)"
    "  SELECT $3, $1, id, $4, $5 FROM held RETURNING id"};

// Releases the active hold of a reference. $1 organization_id, $2 reference → its amount.
constexpr db::Query k_release{
    "wallet.release",
    "WITH released AS ("
    "  UPDATE wallet.holds SET status = 'RELEASED', released_at = now()"
    "  WHERE organization_id = $1 AND reference = $2 AND status = 'ACTIVE'"
    "  RETURNING wallet_id, amount"
    ") UPDATE wallet.wallets w SET held = w.held - r.amount, updated_at = now()"
    "  FROM released r WHERE w.organization_id = $1 AND w.id = r.wallet_id RETURNING r.amount"};

#undef PAYROLLX_WALLET_COLUMNS

Wallet wallet_from(const db::Row& row) {
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

std::vector<Wallet> wallets_from(const db::Result& result) {
  std::vector<Wallet> wallets;
  wallets.reserve(static_cast<std::size_t>(result.size()));
  for (auto row : result) wallets.push_back(wallet_from(row));
  return wallets;
}

// Reads run on a session (a transaction's, or a report's snapshot) or on the pool (autocommit):
// both offer query(name, args...).
template <class Db>
awaitable<std::optional<Wallet>> select_on(Db& db, const Uuid& organization_id,
                                           const Uuid& wallet_id) {
  auto result = co_await db.query(k_select, organization_id, wallet_id);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return wallet_from(*row);
}

}  // namespace

awaitable<std::vector<Wallet>> insert_many(db::Tx& tx, const Uuid& organization_id,
                                           const std::vector<NewWallet>& wallets) {
  std::vector<Uuid> ids, owner_ids;
  std::vector<std::string> owner_types, currencies;
  for (const auto& wallet : wallets) {
    ids.push_back(Uuid::random());
    owner_types.emplace_back(to_string(wallet.owner_type));
    owner_ids.push_back(wallet.owner_id);
    currencies.push_back(wallet.currency);
  }
  auto result =
      co_await tx.query(k_insert_many, organization_id, ids, owner_types, owner_ids, currencies);
  co_return wallets_from(result);
}

awaitable<Wallet> open_external(db::Tx& tx, const Uuid& organization_id,
                                const std::string& currency) {
  auto result = co_await tx.query(k_open_external, Uuid::random(), organization_id, currency);
  co_return wallet_from(result.one());
}

awaitable<std::optional<Wallet>> select(db::Session& session, const Uuid& organization_id,
                                        const Uuid& wallet_id) {
  return select_on(session, organization_id, wallet_id);
}

awaitable<std::optional<Wallet>> select(db::Pool& pool, const Uuid& organization_id,
                                        const Uuid& wallet_id) {
  return select_on(pool, organization_id, wallet_id);
}

awaitable<std::optional<Wallet>> select_by_owner(db::Session& session, const Uuid& organization_id,
                                                 OwnerType owner_type, const Uuid& owner_id,
                                                 const std::string& currency) {
  auto result = co_await session.query(k_select_by_owner, organization_id, to_string(owner_type),
                                       owner_id, currency);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return wallet_from(*row);
}

awaitable<std::vector<Wallet>> lock(db::Tx& tx, const Uuid& organization_id,
                                    const std::vector<Uuid>& wallet_ids) {
  auto result = co_await tx.query(k_lock, organization_id, wallet_ids);
  co_return wallets_from(result);
}

awaitable<std::int64_t> lock_all(db::Tx& tx, const Uuid& organization_id,
                                 const std::vector<Uuid>& wallet_ids) {
  auto result = co_await tx.query(k_lock_all, organization_id, wallet_ids);
  co_return result.one().get<std::int64_t>("locked");
}

awaitable<std::vector<Wallet>> select_page(db::Pool& pool, const Uuid& organization_id,
                                           const std::optional<Uuid>& employee_id,
                                           const std::optional<Timestamp>& after_created_at,
                                           const std::optional<Uuid>& after_id, int limit) {
  auto result = co_await pool.query(k_select_page, organization_id, employee_id, after_created_at,
                                    after_id, limit);
  co_return wallets_from(result);
}

awaitable<bool> hold(db::Tx& tx, const Uuid& organization_id, const Uuid& wallet_id,
                     const Uuid& reference, std::int64_t amount) {
  auto placed =
      co_await tx.query(k_hold, organization_id, wallet_id, Uuid::random(), reference, amount);
  co_return !placed.empty();
}

awaitable<std::optional<std::int64_t>> release(db::Tx& tx, const Uuid& organization_id,
                                               const Uuid& reference) {
  auto result = co_await tx.query(k_release, organization_id, reference);
  auto row = result.first();
  if (!row) co_return std::nullopt;
  co_return row->get<std::int64_t>("amount");
}

}  // namespace payrollx::wallet::store
