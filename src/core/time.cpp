#include "core/time.hpp"

#include <fmt/format.h>

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

Date today_utc() {
  return Date{floor<days>(system_clock::now())};
}

std::string to_rfc3339(Timestamp t) {
  auto day_point = floor<days>(t);
  Date date{day_point};
  hh_mm_ss<microseconds> time{t - day_point};
  auto text = fmt::format("{}T{:02}:{:02}:{:02}", to_iso_date(date), time.hours().count(),
                          time.minutes().count(), time.seconds().count());
  if (time.subseconds().count() != 0) text += fmt::format(".{:06}", time.subseconds().count());
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
