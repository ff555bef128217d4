#pragma once
// Timestamps are UTC instants with microsecond precision (PostgreSQL's timestamptz); dates are
// calendar days. The API writes timestamps as RFC 3339 UTC and dates as YYYY-MM-DD.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payrollx {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;
using Date = std::chrono::year_month_day;

Timestamp now();
// "2026-11-25T06:00:00Z", or "2026-11-25T06:00:00.123456Z" when the instant has a fraction.
std::string to_rfc3339(Timestamp t);
// Appends "YYYY-MM-DDTHH:MM:SS" (UTC), and zero-padded digits: what to_rfc3339 and the log's
// timestamps are made of, written on every request, so without a format string to parse.
void append_date_time(std::string& out, std::chrono::sys_seconds t);
void append_padded(std::string& out, std::uint64_t value, int width);
// Accepts RFC 3339 ("2026-11-25T06:00:00Z", offsets, fractions) and PostgreSQL's text form
// ("2026-11-25 06:00:00.123456+00").
std::optional<Timestamp> parse_timestamp(std::string_view text);

std::string to_iso_date(Date d);
// Strict YYYY-MM-DD of a real calendar day.
std::optional<Date> parse_date(std::string_view text);

}  // namespace payrollx
