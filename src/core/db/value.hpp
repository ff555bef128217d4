#pragma once
// Conversions between C++ values and PostgreSQL's text format (binary for some arrays), for bound
// parameters and for decoding result columns. One overload pair per supported type.
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::db {

// A bound parameter; nullopt is SQL NULL. Text in PostgreSQL's input syntax, but for arrays of
// uuids, integers and text, which go binary (array_send's layout, `binary()`): a payroll run
// binds them by the hundred thousand, and the server reads 100,000 uuids in 12 ms that way, 78 ms
// as text, and a run's item lines without unquoting 30 MB (docs/bench.md). Such a parameter's
// statement casts it to its exact type (`$1::uuid[]`, `$2::text[]`), so the server knows what it
// reads.
class Param : public std::optional<std::string> {
 public:
  using std::optional<std::string>::optional;
  static Param binary_value(std::string bytes) {
    Param param(std::move(bytes));
    param.binary_ = true;
    return param;
  }
  bool binary() const { return binary_; }

 private:
  bool binary_ = false;
};

Param to_param(std::string_view value);
Param to_param(const std::string& value);
Param to_param(const char* value);
Param to_param(std::int64_t value);
Param to_param(int value);
Param to_param(bool value);
Param to_param(const Uuid& value);
Param to_param(Timestamp value);
Param to_param(Date value);
Param to_param(const boost::json::value& value);  // json / jsonb
Param to_param(std::nullopt_t);
// Arrays: for `unnest($1::uuid[])` and `= ANY($1::text[])`.
Param to_param(const std::vector<std::string>& values);
Param to_param(const std::vector<std::int64_t>& values);
Param to_param(const std::vector<Uuid>& values);
Param to_param(const std::vector<bool>& values);
// A state held as an enum binds as its name: the to_string its module declares beside it.
template <class E>
requires std::is_enum_v<E> Param to_param(E value) {
  return to_param(to_string(value));
}
// After every other overload: an optional of any of them (an array too) binds as it or NULL.
template <class T>
Param to_param(const std::optional<T>& value) {
  return value ? to_param(*value) : Param{};
}

// A statement's arguments, in order: $1, $2, ...
template <class... Args>
std::vector<Param> params_of(const Args&... args) {
  std::vector<Param> params;
  params.reserve(sizeof...(Args));
  (params.push_back(to_param(args)), ...);
  return params;
}

// Decoding a non-NULL text value; throws db::DecodeError on a malformed one.
template <class T>
struct Decoder;

template <>
struct Decoder<std::string> {
  static std::string decode(std::string_view text) { return std::string(text); }
};
template <>
struct Decoder<std::int64_t> {
  static std::int64_t decode(std::string_view text);
};
template <>
struct Decoder<int> {
  static int decode(std::string_view text);
};
template <>
struct Decoder<bool> {
  static bool decode(std::string_view text);
};
template <>
struct Decoder<Uuid> {
  static Uuid decode(std::string_view text);
};
template <>
struct Decoder<Timestamp> {
  static Timestamp decode(std::string_view text);
};
template <>
struct Decoder<Date> {
  static Date decode(std::string_view text);
};
template <>
struct Decoder<boost::json::value> {
  static boost::json::value decode(std::string_view text);
};
template <>
struct Decoder<std::vector<std::string>> {  // text[] of simple elements
  static std::vector<std::string> decode(std::string_view text);
};

}  // namespace payrollx::db
