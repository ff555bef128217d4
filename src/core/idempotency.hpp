#pragma once
// Idempotency-Key handling for money-moving routes (marked 💰 in comments and docs), which
// require the key (1-255 characters, scoped per organisation, kept 24 hours). The key is claimed
// by the first statement of the request's transaction, and the answer stored by its last, so
// effects and stored answer commit or roll back together:
// - a new key: the work runs; a 2xx answer is stored with it;
// - a key whose first request committed: its answer is replayed (Idempotent-Replayed: true) when
//   the request is the same (method, path and body), else 409 idempotency_key_reused;
// - a key whose first request is still running: the claim waits on the key's row until that
//   request ends, then replays it (or, if it rolled back, does the work itself): never both.
// A request refused by what the work found (404, 409: insufficient_funds, invalid_state) rolled
// back everything; its problem answer is then stored under the key in a transaction of its own,
// so a retry gets the same answer, as with Stripe. A 400 (validation, before or during the work),
// 401 or 403 stores nothing: the client may fix the request and reuse the key.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>

#include "core/http/message.hpp"

namespace payrollx {
namespace db {
class Pool;
class Tx;
}  // namespace db
namespace http {
class RequestContext;
}
}  // namespace payrollx

namespace payrollx::idempotency {

inline constexpr std::chrono::hours k_key_lifetime{24};

using Work = std::function<boost::asio::awaitable<http::Response>(db::Tx&)>;

// Runs `work` in one transaction under the request's Idempotency-Key (400 validation_failed when
// the header is missing or longer than 255 characters), scoped to the caller's organisation,
// after the caller's standing is confirmed in that transaction (401 or 403 otherwise: every
// money route runs through here).
boost::asio::awaitable<http::Response> run(db::Pool& pool, const http::RequestContext& ctx,
                                           Work work);

// Deletes expired keys, a bounded batch at a time; answers how many it deleted.
boost::asio::awaitable<std::int64_t> purge_expired(db::Pool& pool);

}  // namespace payrollx::idempotency
