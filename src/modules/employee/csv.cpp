#include "modules/employee/csv.hpp"

namespace payrollx::employee {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {
    if (text_.starts_with(k_bom)) text_.remove_prefix(k_bom.size());
  }

  std::vector<CsvRecord> run() {
    while (pos_ < text_.size()) {
      CsvRecord record = next_record();
      bool blank =
          record.error.empty() && record.fields.size() == 1 && record.fields[0].empty() && !quoted_;
      if (!blank) records_.push_back(std::move(record));
    }
    return std::move(records_);
  }

 private:
  bool at_line_end() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  // Consumes one line break (CRLF, LF or CR) at pos_, counting the line.
  void skip_line_break() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  // After an error: the rest of the physical line is dropped.
  void skip_to_line_end() {
    while (pos_ < text_.size() && !at_line_end()) ++pos_;
    if (pos_ < text_.size()) skip_line_break();
  }

  CsvRecord next_record() {
    CsvRecord record;
    record.line = line_;
    quoted_ = false;
    for (;;) {
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        quoted_ = true;
        if (!quoted_field(field, record)) return record;
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          if (text_[pos_] == '"') {
            record.error = "a double quote inside an unquoted field (quote the whole field)";
            skip_to_line_end();
            return record;
          }
          field += text_[pos_++];
        }
      }
      record.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return record;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      skip_line_break();
      return record;
    }
  }

  // Reads a quoted field from its opening quote; false (with the record's error set) when it is
  // malformed.
  bool quoted_field(std::string& field, CsvRecord& record) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= text_.size()) {
        record.error = "a quoted field is never closed";
        return false;
      }
      char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;  // the closing quote
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
          record.error = "text after the closing quote of a field";
          skip_to_line_end();
          return false;
        }
        return true;
      }
      if (c == '\n' || (c == '\r' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n'))) {
        ++line_;
      }
      field += c;
      ++pos_;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  bool quoted_ = false;  // the record's first field was quoted (so "" is not a blank line)
  std::vector<CsvRecord> records_;
};

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text) {
  return Parser(text).run();
}

}  // namespace payrollx::employee
