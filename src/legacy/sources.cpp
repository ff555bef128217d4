#include "legacy/sources.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <map>
#include <memory>
#include <ostream>
#include <stdexcept>

namespace payrollx::legacy {
namespace {

constexpr std::string_view k_placeholder = "{db}";

// The table's columns in the source, quoted, in their order; none when it does not exist.
std::vector<std::string> columns_of(db::BlockingConnection& source, std::string_view table) {
  auto rows = source.run(
      "SELECT quote_ident(column_name) FROM information_schema.columns "
      "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
      {std::string(table)});
  std::vector<std::string> columns;
  for (auto& row : rows) columns.push_back(std::move(row.at(0)));
  return columns;
}

}  // namespace

std::string LegacyTable::name() const {
  return fmt::format("{}.{}", database, table);
}

std::string LegacyTable::staging() const {
  return fmt::format("legacy_{}_{}", database, table);
}

std::string source_url(std::string_view source_template, std::string_view database) {
  if (source_template.find(k_placeholder) == std::string_view::npos)
    throw std::invalid_argument("--source-template must contain {db}");
  std::string url(source_template);
  for (auto at = url.find(k_placeholder); at != std::string::npos;
       at = url.find(k_placeholder, at + database.size()))
    url.replace(at, k_placeholder.size(), database);
  return url;
}

void stage_all(db::BlockingConnection& target, std::string_view source_template,
               std::ostream& progress) {
  std::map<std::string_view, std::unique_ptr<db::BlockingConnection>> sources;
  for (const auto& table : k_legacy_tables) {
    auto& source = sources[table.database];
    if (!source) {
      // Read-only and one snapshot per database: rows that change meanwhile do not tear.
      source =
          std::make_unique<db::BlockingConnection>(source_url(source_template, table.database));
      source->run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    const auto columns = columns_of(*source, table.table);
    if (columns.empty())
      throw db::BlockingError(
          fmt::format("the {} database has no table {}", table.database, table.table));
    std::string staged_columns;
    for (const auto& column : columns)
      staged_columns += fmt::format("{}{} text", staged_columns.empty() ? "" : ", ", column);
    target.run(
        fmt::format("CREATE TEMP TABLE {} ({}) ON COMMIT DROP", table.staging(), staged_columns));
    const auto rows = db::BlockingConnection::copy(
        *source,
        fmt::format("COPY public.{} TO STDOUT", db::quote_identifier(std::string(table.table))),
        target, fmt::format("COPY {} FROM STDIN", table.staging()));
    target.run(fmt::format("ANALYZE {}", table.staging()));
    fmt::print(progress, "import: read {:>9} rows of {}\n", rows, table.name());
    progress.flush();
  }
}

}  // namespace payrollx::legacy
