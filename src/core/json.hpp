#pragma once
// The one way to read a request body: parse it (400 on malformed JSON or bad UTF-8), then read
// each field through a FieldReader that records one FieldError per bad field, and `finish()`
// (which also reports unknown fields) before using the values. Responses are built with
// Boost.JSON directly (or Boost.Describe's value_from for plain structs).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::json {

// Parses a JSON document; throws a 400 validation_failed Problem when it is malformed.
boost::json::value parse(std::string_view text);
// Parses a body that must be a JSON object.
boost::json::object parse_object(std::string_view text);

struct StringRule {
  std::size_t min = 1;  // characters (code points)
  std::size_t max = 255;
};

struct IntRule {
  std::int64_t min = INT64_MIN;
  std::int64_t max = INT64_MAX;
};

// An optional field whose `null` means "clear it" (PATCH): nullopt = absent,
// optional(nullopt) = null, optional(value) = set.
template <class T>
using Patch = std::optional<std::optional<T>>;

class FieldReader {
 public:
  // `prefix` names nested objects in error fields ("salary.amount").
  explicit FieldReader(const boost::json::object& object, std::string prefix = "");

  std::optional<std::string> required_string(std::string_view key, StringRule rule = {});
  std::optional<std::string> optional_string(std::string_view key, StringRule rule = {});
  Patch<std::string> nullable_string(std::string_view key, StringRule rule = {});

  std::optional<std::int64_t> required_int(std::string_view key, IntRule rule = {});
  std::optional<std::int64_t> optional_int(std::string_view key, IntRule rule = {});

  std::optional<bool> required_bool(std::string_view key);
  std::optional<bool> optional_bool(std::string_view key);

  std::optional<std::string> required_enum(std::string_view key,
                                           std::span<const std::string_view> allowed);
  std::optional<std::string> optional_enum(std::string_view key,
                                           std::span<const std::string_view> allowed);
  // The same, answered as the enum whose names are allowed.
  template <class E, std::size_t N>
  std::optional<E> required_enum(std::string_view key, const EnumNames<E, N>& names) {
    auto text = required_enum(key, names.names());
    return text ? names.parse(*text) : std::nullopt;
  }
  template <class E, std::size_t N>
  std::optional<E> optional_enum(std::string_view key, const EnumNames<E, N>& names) {
    auto text = optional_enum(key, names.names());
    return text ? names.parse(*text) : std::nullopt;
  }

  std::optional<Uuid> required_uuid(std::string_view key);
  std::optional<Uuid> optional_uuid(std::string_view key);

  std::optional<Date> required_date(std::string_view key);
  std::optional<Date> optional_date(std::string_view key);

  // The raw value of an array field, for callers that read its elements themselves.
  const boost::json::array* optional_array(std::string_view key, std::size_t max_items = 1000);
  const boost::json::array* required_array(std::string_view key, std::size_t max_items = 1000);

  // Records an error of the caller's own (e.g. a cross-field rule).
  void fail(std::string_view key, std::string message);
  std::string field_name(std::string_view key) const;
  bool ok() const { return errors_.empty(); }
  std::vector<FieldError>& errors() { return errors_; }

  // Reports fields that were never read as unknown, then throws validation_failed when any
  // field had a problem.
  void finish();

 private:
  const boost::json::value* lookup(std::string_view key, bool required);
  std::optional<std::string> read_string(std::string_view key, bool required, StringRule rule);

  const boost::json::object& object_;
  std::string prefix_;
  std::set<std::string, std::less<>> seen_;
  std::vector<FieldError> errors_;
};

// Counts Unicode code points of valid UTF-8.
std::size_t utf8_length(std::string_view text);

}  // namespace payrollx::json
