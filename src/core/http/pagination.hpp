#pragma once
// Lists: ?limit= (default 50, max 200) and an opaque keyset ?cursor= over (created_at, id),
// newest first. Stores fetch limit + 1 rows; the extra row tells there is a next page.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::http {

class RequestContext;
struct QueryParamDoc;

struct Keyset {
  Timestamp created_at;
  Uuid id;
};

struct PageRequest {
  int limit = 50;
  std::optional<Keyset> after;  // decoded cursor

  // The keyset's parts as query parameters: NULL on the first page.
  std::optional<Timestamp> after_created_at() const {
    return after ? std::optional<Timestamp>(after->created_at) : std::nullopt;
  }
  std::optional<Uuid> after_id() const {
    return after ? std::optional<Uuid>(after->id) : std::nullopt;
  }
};

// 400 validation_failed for a bad limit or cursor.
PageRequest page_request(const RequestContext& ctx);
// A list route's documented query: its `filters`, then ?limit= and ?cursor= with the limits
// page_request enforces.
std::vector<QueryParamDoc> page_query(std::vector<QueryParamDoc> filters = {});

std::string encode_cursor(const Keyset& keyset);
std::optional<Keyset> decode_cursor(std::string_view cursor);

// {"data": [...], "nextCursor": ...|null}; `next` is the keyset of the last row shown when the
// store found more rows than the limit.
boost::json::object list_answer(boost::json::array data, const std::optional<Keyset>& next);

// The list answer of `rows` fetched as limit + 1 (rows with created_at and id, newest first):
// the first `limit` of them as `to_json` makes them, and the next cursor when there were more.
template <class Row, class ToJson>
boost::json::object list_page(const std::vector<Row>& rows, int limit, ToJson to_json) {
  boost::json::array data;
  std::optional<Keyset> next;
  const auto shown = std::min(rows.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(to_json(rows[i]));
  if (rows.size() > shown) next = Keyset{rows[shown - 1].created_at, rows[shown - 1].id};
  return list_answer(std::move(data), next);
}

}  // namespace payrollx::http
