#include "core/db/value.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <limits>
#include <stdexcept>

#include "core/db/error.hpp"
#include "core/db/sqlstate.hpp"

namespace payrollx::db {
namespace {

// libpq sends text parameters as C strings: a NUL byte would silently cut the value short.
std::string checked_text(std::string_view value) {
  if (value.find('\0') != std::string_view::npos)
    throw Error(std::string(sqlstate::k_character_not_in_repertoire),
                "a text parameter contains a NUL byte");
  return std::string(value);
}

template <class Int>
std::string integer_text(Int value) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

template <class Int>
Int parse_integer(std::string_view text, const char* what) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    throw DecodeError(what);
  return value;
}

template <class T, class Encode>
Param array_literal(const std::vector<T>& values, Encode encode) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.push_back(',');
    encode(out, values[i]);
  }
  out.push_back('}');
  return out;
}

// The element types' oids (pg_type.dat): array_recv refuses an array of any other.
constexpr std::uint32_t k_int8_oid = 20;
constexpr std::uint32_t k_text_oid = 25;
constexpr std::uint32_t k_uuid_oid = 2950;

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// array_send's layout of a one-dimensional array without NULLs: the dimensions, a has-nulls
// flag, the element type, then per dimension its length and lower bound (1), then each element's
// length and bytes (`encode` writes both, `encoded_size` says how many). An empty array has no
// dimension. Sized once: a run's item lines are 15 MB that would otherwise be copied through
// every doubling of the string, each into freshly mapped memory.
template <class T, class EncodedSize, class Encode>
Param binary_array(const std::vector<T>& values, std::uint32_t element_oid,
                   EncodedSize encoded_size, Encode encode) {
  if (values.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw std::length_error("an array parameter holds more than 2^31 elements");
  std::size_t size = values.empty() ? 12 : 20;  // the header, with its dimension or without
  for (const auto& value : values) size += encoded_size(value);
  std::string out;
  out.reserve(size);
  append_big_endian(out, values.empty() ? 0 : 1, 4);
  append_big_endian(out, 0, 4);
  append_big_endian(out, element_oid, 4);
  if (!values.empty()) {
    append_big_endian(out, values.size(), 4);
    append_big_endian(out, 1, 4);
  }
  for (const auto& value : values) encode(out, value);
  if (out.size() != size) throw std::logic_error("an array parameter's size was miscounted");
  return Param::binary_value(std::move(out));
}

}  // namespace

Param to_param(std::string_view value) {
  return checked_text(value);
}
Param to_param(const std::string& value) {
  return checked_text(value);
}
Param to_param(const char* value) {
  if (value == nullptr) return std::nullopt;
  return checked_text(value);
}
Param to_param(std::int64_t value) {
  return integer_text(value);
}
Param to_param(int value) {
  return integer_text(value);
}
Param to_param(bool value) {
  return std::string(value ? "t" : "f");
}
Param to_param(const Uuid& value) {
  return value.str();
}
Param to_param(Timestamp value) {
  return to_rfc3339(value);
}
Param to_param(Date value) {
  return to_iso_date(value);
}
Param to_param(const boost::json::value& value) {
  return boost::json::serialize(value);
}
Param to_param(std::nullopt_t) {
  return std::nullopt;
}

Param to_param(const std::vector<std::string>& values) {
  const auto encoded_size = [](const std::string& v) { return 4 + v.size(); };
  return binary_array(values, k_text_oid, encoded_size, [](std::string& out, const std::string& v) {
    if (v.find('\0') != std::string::npos)
      throw Error(std::string(sqlstate::k_character_not_in_repertoire),
                  "an array parameter contains a NUL byte");
    if (v.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::length_error("an array element beyond 2 GB");
    append_big_endian(out, v.size(), 4);
    out += v;
  });
}
Param to_param(const std::vector<std::int64_t>& values) {
  const auto encoded_size = [](std::int64_t) { return std::size_t{4 + 8}; };
  return binary_array(values, k_int8_oid, encoded_size, [](std::string& out, std::int64_t v) {
    append_big_endian(out, 8, 4);
    append_big_endian(out, static_cast<std::uint64_t>(v), 8);
  });
}
Param to_param(const std::vector<Uuid>& values) {
  const auto encoded_size = [](const Uuid&) { return std::size_t{4 + 16}; };
  return binary_array(values, k_uuid_oid, encoded_size, [](std::string& out, const Uuid& v) {
    append_big_endian(out, 16, 4);
    out.append(reinterpret_cast<const char*>(v.bytes().data()), v.bytes().size());
  });
}
Param to_param(const std::vector<bool>& values) {
  return array_literal(values, [](std::string& out, bool v) { out.push_back(v ? 't' : 'f'); });
}

// Decoder messages never quote the text: a column may hold personal data.
std::int64_t Decoder<std::int64_t>::decode(std::string_view text) {
  return parse_integer<std::int64_t>(text, "not a 64-bit integer");
}

int Decoder<int>::decode(std::string_view text) {
  return parse_integer<int>(text, "not a 32-bit integer");
}

bool Decoder<bool>::decode(std::string_view text) {
  if (text == "t") return true;
  if (text == "f") return false;
  throw DecodeError("not a boolean");
}

Uuid Decoder<Uuid>::decode(std::string_view text) {
  if (auto id = Uuid::parse(text)) return *id;
  throw DecodeError("not a UUID");
}

Timestamp Decoder<Timestamp>::decode(std::string_view text) {
  if (auto t = parse_timestamp(text)) return *t;
  throw DecodeError("not a timestamp with time zone");
}

Date Decoder<Date>::decode(std::string_view text) {
  if (auto d = parse_date(text)) return *d;
  throw DecodeError("not a date");
}

boost::json::value Decoder<boost::json::value>::decode(std::string_view text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec) throw DecodeError("not JSON");
  return value;
}

// PostgreSQL's array output: {a,"b c","d\"e",NULL}. Quoted elements unescape backslashes;
// unquoted ones are taken verbatim (the server quotes anything with spaces or specials).
std::vector<std::string> Decoder<std::vector<std::string>>::decode(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}')
    throw DecodeError("not a one-dimensional array");
  std::vector<std::string> values;
  std::string_view body = text.substr(1, text.size() - 2);
  std::size_t i = 0;
  if (body.empty()) return values;
  while (true) {
    std::string element;
    if (i < body.size() && body[i] == '"') {
      ++i;
      for (;; ++i) {
        if (i >= body.size()) throw DecodeError("unterminated array element");
        if (body[i] == '"') break;
        if (body[i] == '\\' && ++i >= body.size()) throw DecodeError("unterminated array element");
        element.push_back(body[i]);
      }
      ++i;
    } else {
      std::size_t end = body.find(',', i);
      if (end == std::string_view::npos) end = body.size();
      std::string_view raw = body.substr(i, end - i);
      if (raw.empty() || raw.find_first_of("{}\"\\") != std::string_view::npos)
        throw DecodeError("not a one-dimensional array of text");
      if (raw == "NULL") throw DecodeError("array holds a NULL element");
      element = raw;
      i = end;
    }
    values.push_back(std::move(element));
    if (i == body.size()) return values;
    if (body[i] != ',') throw DecodeError("malformed array");
    ++i;
  }
}

}  // namespace payrollx::db
