#include "core/db/session_defaults.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <array>
#include <memory>
#include <string_view>

#include "core/db/blocking.hpp"

namespace payrollx::db {
namespace {

struct Setting {
  std::string_view name;
  std::string_view value;
};

// What the decoding of results relies on (timestamps and intervals as text).
constexpr std::array<Setting, 3> k_settings{{
    {"TimeZone", "UTC"},
    {"DateStyle", "ISO, YMD"},
    {"IntervalStyle", "iso_8601"},
}};

}  // namespace

std::optional<std::string> role_of(const std::string& conninfo) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (error) PQfreemem(error);
  if (!options) return std::nullopt;
  for (auto* option = options.get(); option->keyword; ++option)
    if (std::string_view(option->keyword) == "user" && option->val && *option->val)
      return std::string(option->val);
  return std::nullopt;
}

void set_role_defaults(BlockingConnection& owner, const std::string& role,
                       std::chrono::milliseconds statement_timeout) {
  const auto database = owner.run("SELECT current_database()").at(0).at(0);
  const auto target = fmt::format("ALTER ROLE {} IN DATABASE {}", quote_identifier(role),
                                  quote_identifier(database));
  for (const auto& setting : k_settings)
    owner.run(fmt::format("{} SET \"{}\" = '{}'", target, setting.name, setting.value));
  owner.run(fmt::format("{} SET statement_timeout = {}", target, statement_timeout.count()));
}

std::optional<std::string> session_defaults_problem(BlockingConnection& connection) {
  for (const auto& setting : k_settings) {
    const auto value =
        connection.run("SELECT current_setting($1)", {std::string(setting.name)}).at(0).at(0);
    if (value != setting.value)
      return fmt::format(
          "{} is '{}', not '{}': behind a transaction pooler the server's role must have the "
          "settings as defaults in the database (payrollx migrate sets them when "
          "PAYROLLX_DB_TRANSACTION_POOLING=true; or ALTER ROLE ... IN DATABASE ... SET {} = '{}')",
          setting.name, value, setting.value, setting.name, setting.value);
  }
  return std::nullopt;
}

}  // namespace payrollx::db
