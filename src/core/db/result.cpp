#include "core/db/result.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "core/db/result_data.hpp"

namespace payrollx::db {

bool Row::is_null(int column) const {
  const PGresult* result = data_->get();
  if (column < 0 || column >= PQnfields(result) || index_ < 0 || index_ >= PQntuples(result))
    throw DecodeError(fmt::format("no column {} in row {}", column, index_));
  return PQgetisnull(result, index_, column) != 0;
}

namespace {

// Exact match: PQfnumber would case-fold the name and needs a NUL-terminated string.
bool is_named(const PGresult* result, int column, std::string_view name) {
  const char* field = PQfname(result, column);
  return std::strncmp(field, name.data(), name.size()) == 0 && field[name.size()] == '\0';
}

}  // namespace

int Row::column_index(std::string_view name) const {
  const PGresult* result = data_->get();
  int columns = PQnfields(result);
  if (next_column_ < columns && is_named(result, next_column_, name)) return next_column_++;
  for (int i = 0; i < columns; ++i)
    if (is_named(result, i, name)) {
      next_column_ = i + 1;
      return i;
    }
  throw DecodeError(fmt::format("the result has no column '{}'", name));
}

std::string_view Row::text(int column) const {
  const PGresult* result = data_->get();
  return {PQgetvalue(result, index_, column),
          static_cast<std::size_t>(PQgetlength(result, index_, column))};
}

void Row::throw_null(int column) const {
  throw DecodeError(fmt::format("column '{}' is NULL; decode it as std::optional",
                                PQfname(data_->get(), column)));
}

void Row::throw_decode(int column, const char* why) const {
  throw DecodeError(fmt::format("column '{}': {}", PQfname(data_->get(), column), why));
}

Result::Result(std::shared_ptr<const ResultData> data) : data_(std::move(data)) {}

int Result::size() const {
  return PQntuples(data_->get());
}

std::optional<Row> Result::first() const {
  if (empty()) return std::nullopt;
  return (*this)[0];
}

Row Result::one() const {
  if (size() != 1) throw DecodeError(fmt::format("expected exactly one row, got {}", size()));
  return (*this)[0];
}

std::int64_t Result::affected() const {
  std::string_view text = PQcmdTuples(const_cast<PGresult*>(data_->get()));
  std::int64_t count = 0;
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}

}  // namespace payrollx::db
