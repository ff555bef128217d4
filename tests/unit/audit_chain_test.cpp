#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "modules/compliance/chain.hpp"

namespace {

using payrollx::Timestamp;
using payrollx::Uuid;
using payrollx::compliance::ChainLink;

ChainLink sample_link() {
  ChainLink link;
  link.prev_hash = std::string(payrollx::compliance::k_genesis_hash);
  link.organization_id = *Uuid::parse("6f1c2a9e-0b1d-4c3e-9f00-1234567890ab");
  link.seq = 1;
  link.actor_id = Uuid::parse("2b1c2a9e-0b1d-4c3e-9f00-1234567890ab");
  link.action = "organization.updated";
  link.entity_type = "organization";
  link.entity_id = link.organization_id;
  link.before = R"({"name":"Old"})";
  link.after =
      "{\"name\":\"N\xc3\xa9"
      "e\"}";
  link.request_id = "req-1";
  link.created_at = *payrollx::parse_timestamp("2026-11-25T06:00:00Z");
  return link;
}

}  // namespace

TEST_CASE("audit chain: the canonical text is the documented length-prefixed form", "[audit]") {
  CHECK(payrollx::compliance::canonical_text(sample_link()) ==
        "payrollx-audit-v1\n"
        "64:0000000000000000000000000000000000000000000000000000000000000000\n"
        "36:6f1c2a9e-0b1d-4c3e-9f00-1234567890ab\n"
        "1:1\n"
        "36:2b1c2a9e-0b1d-4c3e-9f00-1234567890ab\n"
        "20:organization.updated\n"
        "12:organization\n"
        "36:6f1c2a9e-0b1d-4c3e-9f00-1234567890ab\n"
        "14:{\"name\":\"Old\"}\n"
        "15:{\"name\":\"N\xc3\xa9"
        "e\"}\n"  // byte length, not characters
        "5:req-1\n"
        "27:2026-11-25T06:00:00.000000Z\n");
}

TEST_CASE("audit chain: the hash is the hex SHA-256 of the canonical text", "[audit]") {
  // Computed independently (Python hashlib) from the text of the test above.
  CHECK(payrollx::compliance::chain_hash(sample_link()) ==
        "e10d71cd0db29251afede01af5cfec51ca6e85d8257a2f332f6e9378cf504b9f");
}

TEST_CASE("audit chain: NULL and empty values are different texts", "[audit]") {
  auto with_null = sample_link();
  with_null.request_id.reset();
  auto with_empty = sample_link();
  with_empty.request_id = "";
  CHECK(payrollx::compliance::canonical_text(with_null) !=
        payrollx::compliance::canonical_text(with_empty));
  CHECK(payrollx::compliance::chain_hash(with_null) !=
        payrollx::compliance::chain_hash(with_empty));
}

TEST_CASE("audit chain: moving bytes between fields changes the text", "[audit]") {
  // Without length prefixes "a\n" + "b" and "a" + "\nb" could read the same.
  auto one = sample_link();
  one.action = "x\n5:y";
  one.entity_type = "z";
  auto two = sample_link();
  two.action = "x";
  two.entity_type = "y\n1:z";
  CHECK(payrollx::compliance::canonical_text(one) != payrollx::compliance::canonical_text(two));
}

TEST_CASE("audit chain: every field is covered by the hash", "[audit]") {
  using payrollx::compliance::chain_hash;
  const auto original = chain_hash(sample_link());
  std::vector<std::function<void(ChainLink&)>> edits{
      [](ChainLink& l) { l.prev_hash[0] = '1'; },
      [](ChainLink& l) { l.organization_id = Uuid::random(); },
      [](ChainLink& l) { l.seq = 2; },
      [](ChainLink& l) { l.actor_id.reset(); },
      [](ChainLink& l) { l.action = "organization.created"; },
      [](ChainLink& l) { l.entity_type = "user"; },
      [](ChainLink& l) { l.entity_id = Uuid::random(); },
      [](ChainLink& l) { l.before = R"({"name": "Old"})"; },  // same JSON, other text
      [](ChainLink& l) { l.after.reset(); },
      [](ChainLink& l) { l.request_id = "req-2"; },
      [](ChainLink& l) { l.created_at += std::chrono::microseconds(1); },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    auto link = sample_link();
    edits[i](link);
    INFO("edit " << i);
    CHECK(chain_hash(link) != original);
  }
}

TEST_CASE("audit chain: timestamps always carry six fraction digits", "[audit]") {
  using payrollx::compliance::canonical_time;
  auto whole = *payrollx::parse_timestamp("2026-11-25T06:00:00Z");
  CHECK(canonical_time(whole) == "2026-11-25T06:00:00.000000Z");
  CHECK(canonical_time(whole + std::chrono::microseconds(120)) == "2026-11-25T06:00:00.000120Z");
  CHECK(canonical_time(*payrollx::parse_timestamp("1999-01-02T03:04:05.5+01:00")) ==
        "1999-01-02T02:04:05.500000Z");
}
