#include "legacy_databases.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test_database.hpp"

namespace payrollx::test {
namespace {

constexpr std::array<std::string_view, 8> k_databases{
    "auth", "org", "employee", "wallet", "payroll", "transaction", "notification", "compliance"};

std::string file_text(std::string_view name) {
  std::ifstream file(fmt::format("{}/tests/legacy/{}", PAYROLLX_SOURCE_DIR, name));
  if (!file) throw std::runtime_error(fmt::format("cannot read tests/legacy/{}", name));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The lines between "-- @db <database>" and the next "-- @end".
std::string section(const std::string& text, std::string_view database) {
  const auto marker = fmt::format("-- @db {}\n", database);
  const auto start = text.find(marker);
  if (start == std::string::npos) return {};
  const auto body = start + marker.size();
  return text.substr(body, text.find("-- @end", body) - body);
}

// The output with each line's leading spaces dropped and runs of spaces squeezed to one.
std::string squeezed(const std::string& output) {
  std::string text;
  bool line_start = true;
  for (char c : output) {
    if (c == ' ' && (line_start || text.back() == ' ')) continue;
    text += c;
    line_start = c == '\n';
  }
  return text;
}

}  // namespace

std::string report_line(const std::string& output, const std::string& start) {
  const auto text = "\n" + squeezed(output);
  const auto at = text.find("\n" + start + " ");
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

LegacyDatabases::LegacyDatabases(std::string_view label, bool sample) {
  static std::atomic<int> counter{0};
  const auto prefix = fmt::format("legacy_{}_{}_{}", label, ::getpid(), ++counter);
  template_ = with_database(admin_url(), prefix + "_{db}");
  const auto schema = file_text("schema.sql");
  const auto data = sample ? file_text("sample-data.sql") : std::string();
  Sql admin(admin_url());
  for (auto database : k_databases) {
    admin.exec(fmt::format("CREATE DATABASE \"{}_{}\"", prefix, database));
    Sql legacy(url(database));
    legacy.exec(section(schema, database));
    if (sample) legacy.exec(section(data, database));
  }
}

std::string LegacyDatabases::url(std::string_view database) const {
  auto text = template_;
  text.replace(text.find("{db}"), 4, database);
  return text;
}

}  // namespace payrollx::test
