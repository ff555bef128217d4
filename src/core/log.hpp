#pragma once
// One JSON line per request and per notable event, to stdout (journald picks it up). Fields are
// chosen by the caller; never pass secrets, tokens, passwords or personal data.
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace boost::asio {
class io_context;
}

namespace payrollx::log {

enum class Level { debug, info, warn, error };

// Throws std::invalid_argument on an unknown name (config validates with it).
Level parse_level(std::string_view name);
void configure(Level minimum, bool json_format);
bool enabled(Level level);

// {"ts":..., "level":..., "event": event, ...fields}
void write(Level level, std::string_view event, boost::json::object fields = {});
// A duration written in milliseconds with three decimals ("durationMs": 0.153), exactly: it is
// held in whole microseconds, never in floating point.
struct Milliseconds {
  std::int64_t microseconds = 0;
};
// A field of write_fields: null, a string, an integer or milliseconds. Keys are plain
// identifiers.
struct Field {
  std::string_view key;
  std::variant<std::nullptr_t, std::string_view, std::int64_t, Milliseconds> value;
};
// write() for the line written per request: the same output, formatted into a per-thread buffer
// without building a JSON object.
void write_fields(Level level, std::string_view event, std::span<const Field> fields);

inline void info(std::string_view event, boost::json::object fields = {}) {
  write(Level::info, event, std::move(fields));
}
inline void warn(std::string_view event, boost::json::object fields = {}) {
  write(Level::warn, event, std::move(fields));
}
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(Level::error, event, std::move(fields));
}
// While it lives, the info and debug lines written on the constructing thread (which must be the
// only thread running `io`) are batched: they go out in one write 2 ms after the first of them
// (a timer on `io`), or as soon as the batch outgrows a buffer. A busy server thus writes one
// log chunk per few milliseconds instead of one per request, and no line waits longer than that.
// Warnings and errors are never held back, and the batch is written out when the object goes.
class ThreadBatch {
 public:
  explicit ThreadBatch(boost::asio::io_context& io);
  ~ThreadBatch();
  ThreadBatch(const ThreadBatch&) = delete;
  ThreadBatch& operator=(const ThreadBatch&) = delete;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

inline void debug(std::string_view event, boost::json::object fields = {}) {
  if (enabled(Level::debug)) write(Level::debug, event, std::move(fields));
}

}  // namespace payrollx::log
