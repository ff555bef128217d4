#include "core/log.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <stdexcept>

#include "core/time.hpp"

namespace payrollx::log {
namespace {

constexpr std::array<std::string_view, 4> k_level_names{"debug", "info", "warn", "error"};

struct State {
  std::atomic<int> minimum{static_cast<int>(Level::info)};
  std::atomic<bool> json{true};
  // One write(2) holds whole lines: lines from several threads never interleave.
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
void append_timestamp(std::string& out) {
  using namespace std::chrono;
  auto now = floor<milliseconds>(system_clock::now());
  auto whole = floor<seconds>(now);
  append_date_time(out, whole);
  out += '.';
  append_padded(out, static_cast<std::uint64_t>((now - whole).count()), 3);
  out += 'Z';
}

std::string timestamp_now() {
  std::string text;
  append_timestamp(text);
  return text;
}

// As Boost.JSON serializes a string: quotes, backslashes and control characters escaped.
void append_escaped(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
  }
}

// Runs of characters that need no escape (ids, routes, methods: all of a request line) are
// appended whole.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run, i - run);
    append_escaped(out, c);
    run = i + 1;
  }
  out.append(text, run);
  out += '"';
}

bool is_plain(std::string_view text) {
  return !text.empty() && text.find_first_of(" \t\r\n\"=") == std::string_view::npos;
}

// Strings print bare unless a reader could misparse them (spaces, quotes, '='); then as JSON.
std::string text_value(const boost::json::value& value) {
  if (value.is_string()) {
    std::string_view text = value.get_string();
    if (is_plain(text)) return std::string(text);
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

void write_locked(std::string_view text) {
  std::lock_guard lock(state().output);
  write_all(text);
}

}  // namespace

struct ThreadBatch::State {
  explicit State(boost::asio::io_context& context) : timer(context) {}
  boost::asio::steady_timer timer;
  std::string pending;
  bool flush_armed = false;

  void flush() {
    if (pending.empty()) return;
    write_locked(pending);
    pending.clear();
  }
};

namespace {

// A batch holds at most this much before it is written, whatever the event loop is doing.
constexpr std::size_t k_batch_bytes = 64 * 1024;
// And a line waits at most this long for the lines after it.
constexpr std::chrono::milliseconds k_batch_delay{2};

thread_local ThreadBatch::State* t_batch = nullptr;

void emit(Level level, std::string_view line) {
  auto* batch = t_batch;
  if (!batch) return write_locked(line);
  if (level >= Level::warn) {  // after what is pending, so the thread's lines keep their order
    batch->pending += line;
    return batch->flush();
  }
  batch->pending += line;
  if (batch->pending.size() >= k_batch_bytes) return batch->flush();
  if (batch->flush_armed) return;
  batch->flush_armed = true;
  batch->timer.expires_after(k_batch_delay);
  batch->timer.async_wait([batch](boost::system::error_code ec) {
    // Skipped when the batch is gone (it wrote its lines then) or this is another thread.
    if (ec || t_batch != batch) return;
    batch->flush_armed = false;
    batch->flush();
  });
}

// The value of a Field as its line format writes it.
void append_value(std::string& out, const Field& field, bool json) {
  if (const auto* text = std::get_if<std::string_view>(&field.value)) {
    if (!json && is_plain(*text))
      out += *text;
    else
      append_json_string(out, *text);
  } else if (const auto* number = std::get_if<std::int64_t>(&field.value)) {
    fmt::format_to(std::back_inserter(out), "{}", *number);
  } else if (const auto* duration = std::get_if<Milliseconds>(&field.value)) {
    // A steady clock's difference: never negative.
    auto micros = static_cast<std::uint64_t>(std::max<std::int64_t>(duration->microseconds, 0));
    fmt::format_to(std::back_inserter(out), "{}.{:03}", micros / 1000, micros % 1000);
  } else {
    out += "null";
  }
}

}  // namespace

ThreadBatch::ThreadBatch(boost::asio::io_context& io) : state_(std::make_unique<State>(io)) {
  t_batch = state_.get();
}

ThreadBatch::~ThreadBatch() {
  t_batch = nullptr;
  state_->flush();
}

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

void write_fields(Level level, std::string_view event, std::span<const Field> fields) {
  if (!enabled(level)) return;
  thread_local std::string line;
  line.clear();
  if (state().json) {
    line += R"({"ts":")";
    append_timestamp(line);
    line += R"(","level":")";
    line += name_of(level);
    line += R"(","event":)";
    append_json_string(line, event);
    for (const auto& field : fields) {
      line += ",\"";
      line += field.key;
      line += "\":";
      append_value(line, field, true);
    }
    line += "}\n";
  } else {
    append_timestamp(line);
    line += ' ';
    line += name_of(level);
    line += ' ';
    line += event;
    for (const auto& field : fields) {
      line += ' ';
      line += field.key;
      line += '=';
      append_value(line, field, false);
    }
    line += '\n';
  }
  emit(level, line);
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (!enabled(level)) return;
  auto ts = timestamp_now();
  auto line = state().json ? json_line(ts, level, event, std::move(fields))
                           : text_line(ts, level, event, fields);
  emit(level, line);
}

}  // namespace payrollx::log
