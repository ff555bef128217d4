#include "core/http/pagination.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/base64url.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"

namespace payrollx::http {
namespace {

constexpr int k_default_limit = 50;
constexpr int k_max_limit = 200;
// A cursor is "<microseconds>:<uuid>": 20 digits with a sign, a colon, 36 characters.
constexpr std::size_t k_max_cursor_length = 96;
// What a cursor's instant may be: a row's created_at, written with a four-digit year. Beyond,
// writing it for the query would overflow (to_rfc3339) or give a text PostgreSQL refuses.
constexpr Timestamp k_first_instant{std::chrono::sys_days{std::chrono::year{1} / 1 / 1}};
constexpr Timestamp k_end_instant{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}};

int parse_limit(std::string_view text) {
  int limit = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > k_max_limit)
    throw validation_failed("limit", fmt::format("must be an integer from 1 to {}", k_max_limit));
  return limit;
}

}  // namespace

PageRequest page_request(const RequestContext& ctx) {
  PageRequest page;
  page.limit = k_default_limit;
  if (auto limit = ctx.request().query_param("limit")) page.limit = parse_limit(*limit);
  if (auto cursor = ctx.request().query_param("cursor")) {
    page.after = decode_cursor(*cursor);
    if (!page.after) throw validation_failed("cursor", "is not a cursor this API returned");
  }
  return page;
}

std::vector<QueryParamDoc> page_query(std::vector<QueryParamDoc> filters) {
  filters.push_back({"limit",
                     fmt::format("Page size, 1 to {} (default {}).", k_max_limit, k_default_limit),
                     schema::integer(1)});
  filters.push_back({"cursor", "The nextCursor of the previous page.", schema::string()});
  return filters;
}

std::string encode_cursor(const Keyset& keyset) {
  return base64url::encode(
      fmt::format("{}:{}", keyset.created_at.time_since_epoch().count(), keyset.id.str()));
}

std::optional<Keyset> decode_cursor(std::string_view cursor) {
  if (cursor.size() > k_max_cursor_length) return std::nullopt;
  auto text = base64url::decode(cursor);
  if (!text) return std::nullopt;
  auto colon = text->find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::int64_t micros = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + colon, micros);
  if (ec != std::errc() || end != text->data() + colon) return std::nullopt;
  Timestamp created_at{std::chrono::microseconds(micros)};
  if (created_at < k_first_instant || created_at >= k_end_instant) return std::nullopt;
  auto id = Uuid::parse(std::string_view(*text).substr(colon + 1));
  if (!id) return std::nullopt;
  return Keyset{created_at, *id};
}

boost::json::object list_answer(boost::json::array data, const std::optional<Keyset>& next) {
  boost::json::object answer;
  answer["data"] = std::move(data);
  answer["nextCursor"] = next ? boost::json::value(encode_cursor(*next)) : nullptr;
  return answer;
}

}  // namespace payrollx::http
