#include "core/idempotency.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>

#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/dispatcher.hpp"

namespace payrollx::idempotency {
namespace {

using boost::asio::awaitable;

constexpr std::size_t k_max_key_length = 255;
constexpr int k_purge_batch = 1000;

// Claims the key, or takes over an expired one. Waits while another transaction holds it.
// $1 organization_id, $2 key, $3 fingerprint, $4 lifetime in seconds → a row when claimed.
constexpr db::Query k_claim{
    "core.claim_idempotency_key",
    "INSERT INTO core.idempotency_keys AS k (organization_id, key, fingerprint, expires_at) "
    "VALUES ($1, $2, $3, now() + make_interval(secs => $4)) "
    "ON CONFLICT (organization_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,"
    "  status = NULL, content_type = NULL, body = NULL, created_at = now(),"
    "  expires_at = EXCLUDED.expires_at "
    "WHERE k.expires_at < now() RETURNING true AS claimed"};

// $1 organization_id, $2 key.
constexpr db::Query k_select{"core.select_idempotency_key",
                             "SELECT fingerprint, status, content_type, body "
                             "FROM core.idempotency_keys WHERE organization_id = $1 AND key = $2"};

// $1 organization_id, $2 key, $3 status, $4 content_type, $5 body.
constexpr db::Query k_store{"core.store_idempotent_answer",
                            "UPDATE core.idempotency_keys SET status = $3, content_type = $4,"
                            "  body = $5 WHERE organization_id = $1 AND key = $2"};

constexpr db::Query k_purge{
    "core.purge_idempotency_keys",
    "DELETE FROM core.idempotency_keys WHERE ctid = ANY(ARRAY("
    "  SELECT ctid FROM core.idempotency_keys WHERE expires_at < now() LIMIT $1))"
    "  AND expires_at < now()"};  // a key taken over meanwhile is live again

// Keys are 1 to 255 printable ASCII characters (UUIDs, ULIDs, client counters): what any client
// library generates, and nothing a log line or the database could misread.
std::string key_of(const http::RequestContext& ctx) {
  auto key = ctx.request().header("idempotency-key");
  if (!key || key->empty())
    throw validation_failed("Idempotency-Key", "the header is required on this route");
  auto printable = [](char c) { return c >= 0x20 && c <= 0x7e; };
  if (key->size() > k_max_key_length || !std::all_of(key->begin(), key->end(), printable))
    throw validation_failed("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
  return std::string(*key);
}

std::string fingerprint_of(const http::Request& request) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  auto feed = [&](std::string_view text) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
  };
  feed(request.method);
  feed(" ");
  feed(request.path);
  feed("\n");
  feed(request.body);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

struct Claim {
  Uuid organization_id;
  std::string key;
  std::string fingerprint;
};

// Claims the key in `tx`, with the transaction's next statement (db::Tx::send).
db::Pending send_claim(db::Tx& tx, const Claim& claim) {
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(k_key_lifetime).count();
  return tx.send(k_claim, claim.organization_id, claim.key, claim.fingerprint,
                 static_cast<std::int64_t>(lifetime));
}

// The claim's outcome: nullopt when this request is the first, else the stored answer to replay
// (409 idempotency_key_reused when it answered another request).
awaitable<std::optional<http::Response>> claimed(db::Tx& tx, const db::Pending& sent,
                                                 const Claim& claim) {
  auto taken = co_await tx.answer(sent);
  if (!taken.empty()) co_return std::nullopt;
  auto result = co_await tx.query(k_select, claim.organization_id, claim.key);
  auto stored = result.one();  // a Row reads its Result: keep that alive
  if (stored.get<std::string>("fingerprint") != claim.fingerprint) throw idempotency_key_reused();
  http::Response replay;
  replay.status = stored.get<int>("status");
  replay.content_type = stored.get<std::string>("content_type");
  replay.body = stored.get<std::string>("body");
  replay.headers.emplace_back("Idempotent-Replayed", "true");
  co_return replay;
}

// Sent with the COMMIT (db::Tx::defer).
void store(db::Tx& tx, const Claim& claim, const http::Response& answer) {
  tx.defer(k_store, claim.organization_id, claim.key, answer.status, answer.content_type,
           answer.body);
}

bool storable(const http::Response& answer) {
  return answer.status >= 200 && answer.status < 500;
}

// A refusal that depends on the data the work found (404, 409: insufficient_funds,
// invalid_state, conflict) is the key's answer; a 400 is about the request itself, which the
// client may correct and send again under the same key.
bool is_business_refusal(const Problem& problem) {
  return problem.status() == 404 || problem.status() == 409;
}

}  // namespace

awaitable<http::Response> run(db::Pool& pool, const http::RequestContext& ctx, Work work) {
  const Claim request{.organization_id = ctx.user().org(),
                      .key = key_of(ctx),
                      .fingerprint = fingerprint_of(ctx.request())};
  std::optional<Problem> refusal;
  auto attempt = [&](db::Tx& tx) -> awaitable<http::Response> {
    refusal.reset();
    // The claim goes out with the standing check, in one round trip, and counts only once the
    // caller's standing holds (a failed check rolls it back).
    const auto claiming = send_claim(tx, request);
    co_await ctx.confirm_standing(tx);
    if (auto replay = co_await claimed(tx, claiming, request)) co_return std::move(*replay);
    std::optional<http::Response> answer;
    try {
      answer.emplace(co_await work(tx));
    } catch (const Problem& problem) {
      if (is_business_refusal(problem)) refusal = problem;
      throw;
    }
    if (storable(*answer)) store(tx, request, *answer);
    co_return std::move(*answer);
  };
  try {
    co_return co_await pool.transaction(attempt);
  } catch (const Problem&) {
    if (!refusal) throw;
  }
  // The work refused the request and rolled back; its answer becomes the key's answer, unless a
  // concurrent request with the key committed first (then that one is replayed).
  auto refused = http::problem_response(*refusal, ctx.request_id());
  auto remember = [&](db::Tx& tx) -> awaitable<http::Response> {
    const auto claiming = send_claim(tx, request);
    if (auto replay = co_await claimed(tx, claiming, request)) co_return std::move(*replay);
    store(tx, request, refused);
    co_return refused;
  };
  co_return co_await pool.transaction(remember);
}

awaitable<std::int64_t> purge_expired(db::Pool& pool) {
  std::int64_t total = 0;
  for (;;) {
    auto deleted = (co_await pool.query(k_purge, k_purge_batch)).affected();
    total += deleted;
    if (deleted < k_purge_batch) co_return total;
  }
}

}  // namespace payrollx::idempotency
