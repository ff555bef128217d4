#pragma once
// The audit hash chain: the canonical text of one link and its SHA-256. Private to the
// compliance module (the sealer hashes, verification recomputes).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::compliance {

// prev_hash of an organisation's first entry.
inline constexpr std::string_view k_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Everything the hash of one audit entry covers, as stored.
struct ChainLink {
  std::string prev_hash;
  Uuid organization_id;
  std::int64_t seq = 0;
  std::optional<Uuid> actor_id;
  std::string action;
  std::string entity_type;
  std::optional<Uuid> entity_id;
  std::optional<std::string> before;  // the json text exactly as stored
  std::optional<std::string> after;
  std::optional<std::string> request_id;
  Timestamp created_at;
};

// The text that is hashed: "payrollx-audit-v1\n", then each field above in declaration order
// followed by "\n", where a field is "-" when NULL and "<byte length>:<bytes>" otherwise. The
// length prefix means no byte inside a value (a newline, a colon, a "-") can be mistaken for a
// field boundary, so two different links never share a text. Uuids are lower-case 8-4-4-4-12,
// seq is decimal, created_at is RFC 3339 UTC with exactly six fraction digits.
std::string canonical_text(const ChainLink& link);

// Lower-case hex SHA-256 (libsodium crypto_hash_sha256) of canonical_text(link).
std::string chain_hash(const ChainLink& link);

// "2026-11-25T06:00:00.000000Z": always six fraction digits, so a text has one spelling.
std::string canonical_time(Timestamp t);

}  // namespace payrollx::compliance
