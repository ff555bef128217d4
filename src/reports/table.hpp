#pragma once
// A report as a table: typed cells, and the two encodings of it (compliance report downloads).
// CSV: RFC 4180, UTF-8, a header row, CRLF line ends, amounts in major units with the currency's
// scale, text cells that a spreadsheet would run as a formula prefixed with '. JSON: an object
// with the report's kind and period, "rows" of objects by column name with amounts in integer
// minor units, and "totals": the row count and, per currency, the sum of every amount column.
// Encoders produce text a row at a time; nothing holds the whole file.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace payrollx::reports {

struct Cell {
  enum class Kind { null, text, id, integer, amount, boolean, json };
  Kind kind = Kind::null;
  std::string text;         // text, id, json (its exact text), amount (its currency)
  std::int64_t number = 0;  // integer, amount (minor units), boolean (0 or 1)
  int scale = 0;            // amount: the currency's number of decimals

  static Cell null() { return {}; }
  static Cell of_text(std::string value) { return {Kind::text, std::move(value), 0, 0}; }
  static Cell of_id(std::string value) { return {Kind::id, std::move(value), 0, 0}; }
  static Cell of_integer(std::int64_t value) { return {Kind::integer, {}, value, 0}; }
  static Cell of_amount(std::int64_t minor, std::string currency, int scale) {
    return {Kind::amount, std::move(currency), minor, scale};
  }
  static Cell of_boolean(bool value) { return {Kind::boolean, {}, value ? 1 : 0, 0}; }
  static Cell of_json(std::string value) { return {Kind::json, std::move(value), 0, 0}; }
};

using Row = std::vector<Cell>;  // one cell per column, in the columns' order

// The CSV field of a text cell: ' before a leading =, +, -, @, tab or CR; quoted when needed.
std::string csv_text(std::string_view text);

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual std::string begin() = 0;
  virtual std::string row(const Row& cells) = 0;
  virtual std::string end() = 0;
};

struct ReportHeading {
  std::string kind;  // PAYROLL_REGISTER, ...
  std::string period_start;
  std::string period_end;
};

std::unique_ptr<Encoder> csv_encoder(std::vector<std::string> columns);
std::unique_ptr<Encoder> json_encoder(ReportHeading heading, std::vector<std::string> columns);

}  // namespace payrollx::reports
