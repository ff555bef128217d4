#pragma once
// One JSON line per request and per notable event, to stdout (journald picks it up). Fields are
// chosen by the caller; never pass secrets, tokens, passwords or personal data.
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace payrollx::log {

enum class Level { debug, info, warn, error };

// Throws std::invalid_argument on an unknown name (config validates with it).
Level parse_level(std::string_view name);
void configure(Level minimum, bool json_format);
bool enabled(Level level);

// {"ts":..., "level":..., "event": event, ...fields}
void write(Level level, std::string_view event, boost::json::object fields = {});
inline void info(std::string_view event, boost::json::object fields = {}) {
  write(Level::info, event, std::move(fields));
}
inline void warn(std::string_view event, boost::json::object fields = {}) {
  write(Level::warn, event, std::move(fields));
}
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(Level::error, event, std::move(fields));
}
inline void debug(std::string_view event, boost::json::object fields = {}) {
  if (enabled(Level::debug)) write(Level::debug, event, std::move(fields));
}

}  // namespace payrollx::log
