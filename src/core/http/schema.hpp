#pragma once
// Small builders for the JSON Schemas (OpenAPI 3.1) that routes attach to their RouteDoc.
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>

namespace payrollx::json {
struct StringRule;
}

namespace payrollx::http::schema {

using Property = std::pair<std::string_view, boost::json::value>;

boost::json::value string(std::int64_t max_length = 0, std::int64_t min_length = 0);
// The limits of the rule the request's reader checks, so the document and the check agree.
boost::json::value string(const json::StringRule& rule);
// A currency code for readers that check is_currency_code: its lengths and upper-case letters.
boost::json::value currency_code();
boost::json::value formatted(std::string_view format);  // {"type":"string","format":...}
boost::json::value uuid();
boost::json::value date();
boost::json::value date_time();
boost::json::value integer(std::int64_t minimum = INT64_MIN);
boost::json::value boolean();
boost::json::value enumeration(std::initializer_list<std::string_view> values);
// An enum's names (EnumNames::names()), so the document lists what the code accepts.
boost::json::value enumeration(std::span<const std::string_view> values);
boost::json::value array(boost::json::value items);
boost::json::value nullable(boost::json::value schema);
// `schema` with a "description".
boost::json::value described(boost::json::value schema, std::string_view text);
boost::json::value any_object();
// additionalProperties: false; `required` lists the required property names.
boost::json::value object(std::initializer_list<Property> properties,
                          std::initializer_list<std::string_view> required = {});
// The list answer: {"data":[item...],"nextCursor":string|null}.
boost::json::value list_of(boost::json::value item);

}  // namespace payrollx::http::schema
