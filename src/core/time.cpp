#include "core/time.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

namespace payrollx {
namespace {
using namespace std::chrono;

// Reads exactly `width` digits at `pos`.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<Date> date_at(std::string_view text) {
  auto y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (!y || !m || !d || text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  Date date{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}
}  // namespace

Timestamp now() {
  return time_point_cast<microseconds>(system_clock::now());
}

void append_padded(std::string& out, std::uint64_t value, int width) {
  std::array<char, 20> digits;
  for (int i = width - 1; i >= 0; --i) {
    digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(digits.data(), static_cast<std::size_t>(width));
}

void append_date_time(std::string& out, sys_seconds t) {
  auto day_point = floor<days>(t);
  Date date{day_point};
  hh_mm_ss<seconds> time{t - day_point};
  auto year = static_cast<int>(date.year());
  if (year < 0 || year > 9999)
    out += fmt::format("{:04}", year);  // outside what four digits hold: never in payroll data
  else
    append_padded(out, static_cast<std::uint64_t>(year), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(date.day()), 2);
  out += 'T';
  append_padded(out, static_cast<std::uint64_t>(time.hours().count()), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(time.minutes().count()), 2);
  out += ':';
  append_padded(out, static_cast<std::uint64_t>(time.seconds().count()), 2);
}

std::string to_rfc3339(Timestamp t) {
  std::string text;
  text.reserve(27);
  auto whole = floor<seconds>(t);
  append_date_time(text, whole);
  auto fraction = (t - whole).count();
  if (fraction != 0) {
    text += '.';
    append_padded(text, static_cast<std::uint64_t>(fraction), 6);
  }
  text += 'Z';
  return text;
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  auto date = date_at(text);
  if (!date || text.size() < 19 || (text[10] != 'T' && text[10] != ' ' && text[10] != 't'))
    return std::nullopt;
  auto h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!h || !mi || !s || text[13] != ':' || text[16] != ':' || *h > 23 || *mi > 59 || *s > 60)
    return std::nullopt;
  Timestamp t = sys_days{*date} + hours{*h} + minutes{*mi} + seconds{*s};
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t micros = 0;
    int scale = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++scale;
      }
      ++pos;
    }
    if (scale == 0) return std::nullopt;
    for (; scale < 6; ++scale) micros *= 10;
    t += microseconds{micros};
  }
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") return t;
  if (zone.empty() || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  int sign = zone[0] == '+' ? 1 : -1;
  auto zh = digits(zone, 1, 2);
  if (!zh) return std::nullopt;
  int zm = 0;
  if (zone.size() == 6 && zone[3] == ':') {
    auto m = digits(zone, 4, 2);
    if (!m) return std::nullopt;
    zm = *m;
  } else if (zone.size() != 3) {
    return std::nullopt;
  }
  return t - sign * (hours{*zh} + minutes{zm});
}

std::string to_iso_date(Date d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return date_at(text);
}

}  // namespace payrollx
