#include "modules/compliance/chain.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>

namespace payrollx::compliance {
namespace {

void append_value(std::string& text, std::string_view value) {
  fmt::format_to(std::back_inserter(text), "{}:", value.size());
  text.append(value);
  text += '\n';
}

void append_null(std::string& text) {
  text += "-\n";
}

void append_field(std::string& text, const std::optional<std::string>& value) {
  if (value)
    append_value(text, *value);
  else
    append_null(text);
}

void append_field(std::string& text, const std::optional<Uuid>& value) {
  if (value)
    append_value(text, value->str());
  else
    append_null(text);
}

}  // namespace

std::string canonical_time(Timestamp t) {
  auto text = to_rfc3339(t);  // has six fraction digits unless the fraction is zero
  if (text.find('.') == std::string::npos) text.insert(text.size() - 1, ".000000");
  return text;
}

std::string canonical_text(const ChainLink& link) {
  std::string text = "payrollx-audit-v1\n";
  append_value(text, link.prev_hash);
  append_value(text, link.organization_id.str());
  append_value(text, std::to_string(link.seq));
  append_field(text, link.actor_id);
  append_value(text, link.action);
  append_value(text, link.entity_type);
  append_field(text, link.entity_id);
  append_field(text, link.before);
  append_field(text, link.after);
  append_field(text, link.request_id);
  append_value(text, canonical_time(link.created_at));
  return text;
}

std::string chain_hash(const ChainLink& link) {
  auto text = canonical_text(link);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace payrollx::compliance
