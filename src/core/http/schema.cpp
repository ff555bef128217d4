#include "core/http/schema.hpp"

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/currency.hpp"
#include "core/json.hpp"

namespace payrollx::http::schema {

boost::json::value string(std::int64_t max_length, std::int64_t min_length) {
  boost::json::object s{{"type", "string"}};
  if (min_length > 0) s["minLength"] = min_length;
  if (max_length > 0) s["maxLength"] = max_length;
  return s;
}

boost::json::value string(const json::StringRule& rule) {
  return string(static_cast<std::int64_t>(rule.max), static_cast<std::int64_t>(rule.min));
}

boost::json::value currency_code() {
  auto code = string(k_currency_code);
  code.as_object()["pattern"] =
      fmt::format("^[A-Z]{{{},{}}}$", k_currency_code.min, k_currency_code.max);
  return code;
}

boost::json::value formatted(std::string_view format) {
  return boost::json::object{{"type", "string"}, {"format", format}};
}
boost::json::value uuid() {
  return formatted("uuid");
}
boost::json::value date() {
  return formatted("date");
}
boost::json::value date_time() {
  return formatted("date-time");
}

boost::json::value integer(std::int64_t minimum) {
  boost::json::object s{{"type", "integer"}, {"format", "int64"}};
  if (minimum != INT64_MIN) s["minimum"] = minimum;
  return s;
}

boost::json::value boolean() {
  return boost::json::object{{"type", "boolean"}};
}

boost::json::value enumeration(std::initializer_list<std::string_view> values) {
  return enumeration(std::span<const std::string_view>(values.begin(), values.size()));
}

boost::json::value enumeration(std::span<const std::string_view> values) {
  boost::json::array list;
  for (auto v : values) list.emplace_back(v);
  return boost::json::object{{"type", "string"}, {"enum", std::move(list)}};
}

boost::json::value array(boost::json::value items) {
  return boost::json::object{{"type", "array"}, {"items", std::move(items)}};
}

boost::json::value described(boost::json::value schema, std::string_view text) {
  schema.as_object()["description"] = text;
  return schema;
}

boost::json::value nullable(boost::json::value schema) {
  boost::json::array one_of{std::move(schema), boost::json::object{{"type", "null"}}};
  return boost::json::object{{"oneOf", std::move(one_of)}};
}

boost::json::value any_object() {
  return boost::json::object{{"type", "object"}};
}

boost::json::value object(std::initializer_list<Property> properties,
                          std::initializer_list<std::string_view> required) {
  boost::json::object props;
  for (const auto& [name, schema] : properties) props[name] = schema;
  boost::json::object s{
      {"type", "object"}, {"properties", std::move(props)}, {"additionalProperties", false}};
  if (required.size() > 0) {
    boost::json::array names;
    for (auto name : required) names.emplace_back(name);
    s["required"] = std::move(names);
  }
  return s;
}

boost::json::value list_of(boost::json::value item) {
  return object({{"data", array(std::move(item))}, {"nextCursor", nullable(string())}},
                {"data", "nextCursor"});
}

}  // namespace payrollx::http::schema
