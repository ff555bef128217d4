#pragma once
// RFC 4180 CSV, as spreadsheets write it. Private to the employee module (the import reads
// files with it; unit tests include it).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace payrollx::employee {

struct CsvRecord {
  std::vector<std::string> fields;
  std::size_t line = 0;  // the line of the file the record starts on, from 1
  std::string error;     // empty unless the record is malformed (then `fields` is incomplete)
};

// Splits `text` into records of comma-separated fields. Records end with CRLF, LF or a lone CR;
// a field in double quotes may hold commas, line breaks and quotes written twice (""); a UTF-8
// byte order mark at the start is skipped; empty lines are not records; the last line needs no
// line break. A malformed record (a quote inside an unquoted field, text after a closing quote,
// a quote never closed) gets an error and parsing resumes at the next line, so one bad row does
// not hide the others. Bytes are kept as they are: UTF-8 is checked by the caller, per field
// (core/utf8.hpp).
std::vector<CsvRecord> parse_csv(std::string_view text);

}  // namespace payrollx::employee
