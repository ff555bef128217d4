// The CSV and JSON encodings of a report's rows.
#include "reports/table.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <stdexcept>

#include "core/money.hpp"

namespace payrollx::reports {
namespace {

constexpr std::string_view k_crlf = "\r\n";

// A JSON string literal of `text`, escaped.
std::string json_string(std::string_view text) {
  return boost::json::serialize(
      boost::json::value(boost::json::string_view(text.data(), text.size())));
}

bool needs_quotes(std::string_view field) {
  return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

std::string quoted(std::string_view field) {
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_cell(const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::null:
      return {};
    case Cell::Kind::text:
    case Cell::Kind::json:
      return csv_text(cell.text);
    case Cell::Kind::id:
      return needs_quotes(cell.text) ? quoted(cell.text) : cell.text;
    case Cell::Kind::integer:
      return std::to_string(cell.number);
    case Cell::Kind::amount:
      return major_units(cell.number, cell.scale);
    case Cell::Kind::boolean:
      return cell.number ? "true" : "false";
  }
  throw std::logic_error("reports: unknown cell kind");
}

std::string json_cell(const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::null:
      return "null";
    case Cell::Kind::text:
    case Cell::Kind::id:
      return json_string(cell.text);
    case Cell::Kind::json:
      return cell.text;  // already JSON (the audit log's exact stored text)
    case Cell::Kind::integer:
    case Cell::Kind::amount:
      return std::to_string(cell.number);
    case Cell::Kind::boolean:
      return cell.number ? "true" : "false";
  }
  throw std::logic_error("reports: unknown cell kind");
}

class CsvEncoder final : public Encoder {
 public:
  explicit CsvEncoder(std::vector<std::string> columns) : columns_(std::move(columns)) {}

  std::string begin() override {
    std::string line;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i) line += ',';
      line += columns_[i];
    }
    line += k_crlf;
    return line;
  }

  std::string row(const Row& cells) override {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line += ',';
      line += csv_cell(cells[i]);
    }
    line += k_crlf;
    return line;
  }

  std::string end() override { return {}; }

 private:
  std::vector<std::string> columns_;
};

class JsonEncoder final : public Encoder {
 public:
  JsonEncoder(ReportHeading heading, std::vector<std::string> columns)
      : heading_(std::move(heading)), columns_(std::move(columns)) {}

  std::string begin() override {
    return "{\"kind\":" + json_string(heading_.kind) +
           ",\"periodStart\":" + json_string(heading_.period_start) +
           ",\"periodEnd\":" + json_string(heading_.period_end) + ",\"rows\":[";
  }

  std::string row(const Row& cells) override {
    std::string text = rows_ ? ",{" : "{";
    ++rows_;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) text += ',';
      text += json_string(columns_[i]);
      text += ':';
      text += json_cell(cells[i]);
      if (cells[i].kind == Cell::Kind::amount) add_to_total(cells[i], i);
    }
    text += '}';
    return text;
  }

  std::string end() override {
    std::string text = "],\"totals\":{\"rows\":" + std::to_string(rows_) + ",\"byCurrency\":{";
    bool first_currency = true;
    for (const auto& [currency, sums] : totals_) {
      if (!first_currency) text += ',';
      first_currency = false;
      text += json_string(currency) + ":{";
      bool first_column = true;
      for (std::size_t i = 0; i < sums.size(); ++i) {
        if (!sums[i]) continue;
        if (!first_column) text += ',';
        first_column = false;
        text += json_string(columns_[i]) + ':' + std::to_string(*sums[i]);
      }
      text += '}';
    }
    text += "}}}";
    return text;
  }

 private:
  void add_to_total(const Cell& cell, std::size_t column) {
    auto& sums = totals_[cell.text];
    sums.resize(columns_.size());
    auto& sum = sums[column];
    std::int64_t total = sum.value_or(0);
    if (__builtin_add_overflow(total, cell.number, &total))
      throw std::overflow_error("the total of " + columns_[column] + " in " + cell.text +
                                " exceeds the range of a 64-bit amount");
    sum = total;
  }

  ReportHeading heading_;
  std::vector<std::string> columns_;
  std::int64_t rows_ = 0;
  std::map<std::string, std::vector<std::optional<std::int64_t>>> totals_;  // by currency
};

}  // namespace

std::string csv_text(std::string_view text) {
  std::string field;
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
    field += '\'';
  field += text;
  return needs_quotes(field) ? quoted(field) : field;
}

std::unique_ptr<Encoder> csv_encoder(std::vector<std::string> columns) {
  return std::make_unique<CsvEncoder>(std::move(columns));
}

std::unique_ptr<Encoder> json_encoder(ReportHeading heading, std::vector<std::string> columns) {
  return std::make_unique<JsonEncoder>(std::move(heading), std::move(columns));
}

}  // namespace payrollx::reports
