#include "core/json.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>

namespace payrollx::json {

boost::json::value parse(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 32;
  auto value = boost::json::parse(text, ec, {}, options);
  if (ec) throw bad_request(fmt::format("The body is not valid JSON: {}.", ec.message()));
  return value;
}

boost::json::object parse_object(std::string_view text) {
  auto value = parse(text);
  if (!value.is_object()) throw bad_request("The body must be a JSON object.");
  return std::move(value.as_object());
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

FieldReader::FieldReader(const boost::json::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)) {}

std::string FieldReader::field_name(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
}

void FieldReader::fail(std::string_view key, std::string message) {
  errors_.push_back({field_name(key), std::move(message)});
}

const boost::json::value* FieldReader::lookup(std::string_view key, bool required) {
  seen_.emplace(key);
  auto it = object_.find(key);
  if (it == object_.end() || (it->value().is_null() && required)) {
    if (required) fail(key, "is required");
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> FieldReader::read_string(std::string_view key, bool required,
                                                    StringRule rule) {
  auto* value = lookup(key, required);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    fail(key, "must be a string");
    return std::nullopt;
  }
  std::string_view text = value->get_string();
  auto length = utf8_length(text);
  if (length < rule.min) {
    fail(key, rule.min == 1 ? "must not be empty"
                            : fmt::format("must be at least {} characters", rule.min));
    return std::nullopt;
  }
  if (length > rule.max) {
    fail(key, fmt::format("must be at most {} characters", rule.max));
    return std::nullopt;
  }
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      fail(key, "must not contain control characters");
      return std::nullopt;
    }
  return std::string(text);
}

std::optional<std::string> FieldReader::required_string(std::string_view key, StringRule rule) {
  return read_string(key, true, rule);
}
std::optional<std::string> FieldReader::optional_string(std::string_view key, StringRule rule) {
  return read_string(key, false, rule);
}

Patch<std::string> FieldReader::nullable_string(std::string_view key, StringRule rule) {
  auto it = object_.find(key);
  if (it != object_.end() && it->value().is_null()) {
    seen_.emplace(key);
    return std::optional<std::string>{};
  }
  auto text = read_string(key, false, rule);
  if (!text) return std::nullopt;
  return std::optional<std::string>{std::move(*text)};
}

namespace {
std::optional<std::int64_t> as_int(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64() && value.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(value.get_uint64());
  return std::nullopt;
}
}  // namespace

std::optional<std::int64_t> FieldReader::required_int(std::string_view key, IntRule rule) {
  auto* value = lookup(key, true);
  if (!value) return std::nullopt;
  auto number = as_int(*value);
  if (!number) {
    fail(key, value->is_number() ? "must be an integer within range" : "must be an integer");
    return std::nullopt;
  }
  if (*number < rule.min || *number > rule.max) {
    fail(key, fmt::format("must be between {} and {}", rule.min, rule.max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::int64_t> FieldReader::optional_int(std::string_view key, IntRule rule) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return required_int(key, rule);
}

std::optional<bool> FieldReader::required_bool(std::string_view key) {
  auto* value = lookup(key, true);
  if (!value) return std::nullopt;
  if (!value->is_bool()) {
    fail(key, "must be a boolean");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<bool> FieldReader::optional_bool(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return required_bool(key);
}

namespace {
std::string one_of_message(std::span<const std::string_view> allowed) {
  return fmt::format("must be one of {}", fmt::join(allowed, ", "));
}
}  // namespace

std::optional<std::string> FieldReader::required_enum(std::string_view key,
                                                      std::span<const std::string_view> allowed) {
  auto text = read_string(key, true, {1, 64});
  if (!text) return std::nullopt;
  for (auto candidate : allowed)
    if (candidate == *text) return text;
  fail(key, one_of_message(allowed));
  return std::nullopt;
}

std::optional<std::string> FieldReader::optional_enum(std::string_view key,
                                                      std::span<const std::string_view> allowed) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return required_enum(key, allowed);
}

std::optional<Uuid> FieldReader::required_uuid(std::string_view key) {
  auto text = read_string(key, true, {1, 64});
  if (!text) return std::nullopt;
  auto id = Uuid::parse(*text);
  if (!id) fail(key, "must be a UUID");
  return id;
}

std::optional<Uuid> FieldReader::optional_uuid(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return required_uuid(key);
}

std::optional<Date> FieldReader::required_date(std::string_view key) {
  auto text = read_string(key, true, {1, 32});
  if (!text) return std::nullopt;
  auto date = parse_date(*text);
  if (!date) fail(key, "must be a date (YYYY-MM-DD)");
  return date;
}

std::optional<Date> FieldReader::optional_date(std::string_view key) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return std::nullopt;
  }
  return required_date(key);
}

const boost::json::array* FieldReader::required_array(std::string_view key, std::size_t max_items) {
  auto* value = lookup(key, true);
  if (!value) return nullptr;
  if (!value->is_array()) {
    fail(key, "must be an array");
    return nullptr;
  }
  if (value->get_array().size() > max_items) {
    fail(key, fmt::format("must have at most {} items", max_items));
    return nullptr;
  }
  return &value->get_array();
}

const boost::json::array* FieldReader::optional_array(std::string_view key, std::size_t max_items) {
  auto it = object_.find(key);
  if (it == object_.end() || it->value().is_null()) {
    seen_.emplace(key);
    return nullptr;
  }
  return required_array(key, max_items);
}

void FieldReader::finish() {
  for (const auto& member : object_)
    if (!seen_.contains(member.key())) fail(member.key(), "is not a known field");
  if (!errors_.empty()) throw validation_failed(std::move(errors_));
}

}  // namespace payrollx::json
