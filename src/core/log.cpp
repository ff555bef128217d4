#include "core/log.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>

namespace payrollx::log {
namespace {

constexpr std::array<std::string_view, 4> k_level_names{"debug", "info", "warn", "error"};

struct State {
  std::atomic<int> minimum{static_cast<int>(Level::info)};
  std::atomic<bool> json{true};
  // One line is one write(2): lines from several io threads never interleave.
  std::mutex output;
};

State& state() {
  static State instance;
  return instance;
}

std::string_view name_of(Level level) {
  return k_level_names[static_cast<std::size_t>(level)];
}

// RFC 3339 UTC with milliseconds: 2026-11-25T06:00:00.123Z.
std::string timestamp_now() {
  using namespace std::chrono;
  auto now = floor<milliseconds>(system_clock::now());
  auto day = floor<days>(now);
  year_month_day date{day};
  hh_mm_ss<milliseconds> time{now - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

// Strings print bare unless a reader could misparse them (spaces, quotes, '='); then as JSON.
std::string text_value(const boost::json::value& value) {
  if (value.is_string()) {
    std::string_view text = value.get_string();
    bool plain = !text.empty() && text.find_first_of(" \t\r\n\"=") == std::string_view::npos;
    if (plain) return std::string(text);
  }
  return boost::json::serialize(value);
}

std::string json_line(std::string_view ts, Level level, std::string_view event,
                      boost::json::object fields) {
  boost::json::object line;
  line.reserve(fields.size() + 3);
  line.emplace("ts", ts);
  line.emplace("level", name_of(level));
  line.emplace("event", event);
  // The caller's fields never replace ts, level or event (emplace keeps the first).
  for (auto& member : fields) line.emplace(member.key(), std::move(member.value()));
  auto text = boost::json::serialize(line);
  text += '\n';
  return text;
}

std::string text_line(std::string_view ts, Level level, std::string_view event,
                      const boost::json::object& fields) {
  auto text = fmt::format("{} {} {}", ts, name_of(level), event);
  for (const auto& member : fields)
    fmt::format_to(std::back_inserter(text), " {}={}", std::string_view(member.key()),
                   text_value(member.value()));
  text += '\n';
  return text;
}

void write_all(std::string_view text) {
  while (!text.empty()) {
    auto written = ::write(STDOUT_FILENO, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a failing stdout
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

Level parse_level(std::string_view name) {
  for (std::size_t i = 0; i < k_level_names.size(); ++i)
    if (k_level_names[i] == name) return static_cast<Level>(i);
  throw std::invalid_argument(
      fmt::format("unknown log level '{}' (debug, info, warn, error)", name));
}

void configure(Level minimum, bool json_format) {
  state().minimum = static_cast<int>(minimum);
  state().json = json_format;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= state().minimum.load();
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (!enabled(level)) return;
  auto ts = timestamp_now();
  auto line = state().json ? json_line(ts, level, event, std::move(fields))
                           : text_line(ts, level, event, fields);
  std::lock_guard lock(state().output);
  write_all(line);
}

}  // namespace payrollx::log
