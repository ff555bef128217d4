// The CSV import's reading of a file (modules/employee: csv, decimal; core/utf8): parse_csv on the
// bytes, then each field as the import checks it. Besides crashes and UB: records start on the
// lines they say (exactly, against a plain split, for files without quotes), good records written
// back as CSV read the same, is_valid_utf8 agrees with a decoder written from RFC 3629, and an
// amount converts exactly or is refused for a reason that holds.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "core/utf8.hpp"
#include "modules/employee/csv.hpp"
#include "modules/employee/decimal.hpp"

namespace {

using namespace payrollx;
using namespace payrollx::employee;

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool is_line_break(char c) {
  return c == '\n' || c == '\r';
}

// The records of a file without double quotes: its non-empty lines (ended by CRLF, LF or CR),
// split at commas.
std::vector<CsvRecord> plain_split(std::string_view text) {
  std::vector<CsvRecord> records;
  std::size_t line = 1;
  std::size_t start = 0;
  auto add = [&](std::string_view content) {
    if (content.empty()) return;
    CsvRecord record{.line = line};
    for (std::size_t from = 0;;) {
      auto comma = content.find(',', from);
      record.fields.emplace_back(content.substr(from, comma - from));
      if (comma == std::string_view::npos) break;
      from = comma + 1;
    }
    records.push_back(std::move(record));
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_line_break(text[i])) continue;
    add(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    ++line;
    start = i + 1;
  }
  add(text.substr(start));
  return records;
}

std::size_t line_breaks(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
      ++count;
  return count;
}

bool same_records(const std::vector<CsvRecord>& a, const std::vector<CsvRecord>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].fields != b[i].fields || a[i].line != b[i].line || a[i].error != b[i].error)
      return false;
  return true;
}

// Every field quoted, quotes doubled, CRLF after each record: how a spreadsheet writes a file.
std::string write_csv(const std::vector<CsvRecord>& records) {
  std::string text;
  for (const auto& record : records) {
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      if (i != 0) text += ',';
      text += '"';
      for (char c : record.fields[i]) text += c == '"' ? std::string("\"\"") : std::string(1, c);
      text += '"';
    }
    text += "\r\n";
  }
  return text;
}

void check_lines(std::string_view text, const std::vector<CsvRecord>& records) {
  std::size_t previous = 0;
  for (const auto& record : records) {
    FUZZ_CHECK(record.line > previous);
    previous = record.line;
  }
  FUZZ_CHECK(previous <= 1 + line_breaks(text));
  if (text.find('"') == std::string_view::npos) {
    auto body = text.starts_with(k_bom) ? text.substr(k_bom.size()) : text;
    FUZZ_CHECK(same_records(records, plain_split(body)));
  }
}

void check_round_trip(const std::vector<CsvRecord>& records) {
  std::vector<CsvRecord> good;
  for (const auto& record : records)
    if (record.error.empty()) good.push_back({.fields = record.fields});
  auto again = parse_csv(write_csv(good));
  FUZZ_CHECK(again.size() == good.size());
  for (std::size_t i = 0; i < good.size() && i < again.size(); ++i)
    FUZZ_CHECK(again[i].error.empty() && again[i].fields == good[i].fields);
}

// RFC 3629 by decoding: a code point from its bytes, then refused when it is overlong, a
// surrogate, or above U+10FFFF.
bool decodes_as_utf8(std::string_view text) {
  constexpr std::uint32_t k_lead_bits[] = {0x7F, 0x1F, 0x0F, 0x07};
  for (std::size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t more = 0;  // continuation bytes
    if (lead < 0x80)
      more = 0;
    else if ((lead & 0xE0) == 0xC0)
      more = 1;
    else if ((lead & 0xF0) == 0xE0)
      more = 2;
    else if ((lead & 0xF8) == 0xF0)
      more = 3;
    else
      return false;
    if (i + more >= text.size()) return false;
    std::uint32_t code = lead & k_lead_bits[more];
    for (std::size_t k = 1; k <= more; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    constexpr std::uint32_t k_least[] = {0, 0x80, 0x800, 0x10000};
    if (code < k_least[more] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

// The minor units a decimal text names at `scale`, as digits without leading zeros; nullopt
// when the text is not digits with an optional point and digits, or has more decimals than
// the scale.
std::optional<std::string> minor_digits(std::string_view text, int scale) {
  auto point = text.find('.');
  auto whole = text.substr(0, point);
  auto fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  auto digits_only = [](std::string_view part) {
    return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (!digits_only(whole) || (point != std::string_view::npos && !digits_only(fraction)) ||
      fraction.size() > static_cast<std::size_t>(scale))
    return std::nullopt;
  std::string digits(whole);
  digits += fraction;
  digits.append(static_cast<std::size_t>(scale) - fraction.size(), '0');
  auto first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

void check_amount(std::string_view text, int scale) {
  auto converted = to_minor_units(text, scale);
  auto expected = minor_digits(text, scale);
  constexpr std::string_view k_int64_max = "9223372036854775807";
  bool fits = expected && (expected->size() < k_int64_max.size() ||
                           (expected->size() == k_int64_max.size() && *expected <= k_int64_max));
  if (converted.ok())
    FUZZ_CHECK(fits && std::to_string(converted.value) == *expected);
  else
    FUZZ_CHECK(!fits && !converted.error.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto records = parse_csv(text);
  check_lines(text, records);
  check_round_trip(records);
  FUZZ_CHECK(is_valid_utf8(text) == decodes_as_utf8(text));
  for (const auto& record : records)
    for (const auto& field : record.fields) {
      FUZZ_CHECK(is_valid_utf8(field) == decodes_as_utf8(field));
      // 0 and 2 are the usual scales, 18 the largest; the last varies with the field.
      for (int scale : {0, 2, 18, static_cast<int>(field.size() % 19)}) check_amount(field, scale);
    }
  return 0;
}
