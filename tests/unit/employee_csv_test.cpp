// The employee import's CSV reader: RFC 4180 quoting, line endings, blank lines, a byte order
// mark, and malformed records that do not hide the rest.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "modules/employee/csv.hpp"

using payrollx::employee::CsvRecord;
using payrollx::employee::parse_csv;

namespace {

std::vector<std::vector<std::string>> fields_of(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const auto& record : records) {
    INFO("line " << record.line << ": " << record.error);
    CHECK(record.error.empty());
    out.push_back(record.fields);
  }
  return out;
}

}  // namespace

TEST_CASE("csv: plain records with LF, CRLF and no final line break") {
  using Rows = std::vector<std::vector<std::string>>;
  const Rows expected{{"a", "b", "c"}, {"1", "2", "3"}};
  CHECK(fields_of(parse_csv("a,b,c\n1,2,3\n")) == expected);
  CHECK(fields_of(parse_csv("a,b,c\r\n1,2,3\r\n")) == expected);
  CHECK(fields_of(parse_csv("a,b,c\r\n1,2,3")) == expected);
  CHECK(fields_of(parse_csv("a,b,c\r1,2,3\r")) == expected);
  CHECK(parse_csv("").empty());
  CHECK(parse_csv("\n\r\n").empty());
}

TEST_CASE("csv: quoted fields hold commas, doubled quotes and line breaks") {
  auto records = parse_csv(
      "name,title\r\n"
      "\"Lovelace, Ada\",\"The \"\"first\"\" programmer\"\r\n"
      "\"Grace\r\nHopper\",\"line one\nline two\"\r\n"
      "\"\",plain\n");
  REQUIRE(records.size() == 4);
  CHECK(fields_of(records)[1] ==
        std::vector<std::string>{"Lovelace, Ada", "The \"first\" programmer"});
  CHECK(records[2].fields == std::vector<std::string>{"Grace\r\nHopper", "line one\nline two"});
  CHECK(records[3].fields == std::vector<std::string>{"", "plain"});
  // Lines are counted through quoted line breaks.
  CHECK(records[0].line == 1);
  CHECK(records[1].line == 2);
  CHECK(records[2].line == 3);
  CHECK(records[3].line == 6);  // the record before spans lines 3 to 5
}

TEST_CASE("csv: empty fields, empty lines and a byte order mark") {
  auto records = parse_csv(
      "\xEF\xBB\xBF"
      "a,b,,\n\n,,,\n\r\nx,y,z,w");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b", "", ""});
  CHECK(records[1].fields == std::vector<std::string>{"", "", "", ""});
  CHECK(records[2].fields == std::vector<std::string>{"x", "y", "z", "w"});
  CHECK(records[2].line == 5);
}

TEST_CASE("csv: UTF-8 bytes pass through untouched") {
  auto records = parse_csv("Zoë,Þórunn,\"Müller, José\",李\n");
  REQUIRE(records.size() == 1);
  CHECK(records[0].fields == std::vector<std::string>{"Zoë", "Þórunn", "Müller, José", "李"});
}

TEST_CASE("csv: a malformed record gets an error and the next ones are still read") {
  auto records = parse_csv(
      "a,b\n"
      "x\"y,1\n"        // a quote inside an unquoted field
      "\"ok\"junk,2\n"  // text after a closing quote
      "good,3\n"
      "\"never closed,4\n"
      "lost,5\n");
  REQUIRE(records.size() == 5);
  CHECK(records[0].error.empty());
  CHECK_FALSE(records[1].error.empty());
  CHECK(records[1].line == 2);
  CHECK_FALSE(records[2].error.empty());
  CHECK(records[2].line == 3);
  CHECK(records[3].error.empty());
  CHECK(records[3].fields == std::vector<std::string>{"good", "3"});
  // An unclosed quote swallows the rest of the file: that record is the last.
  CHECK_FALSE(records[4].error.empty());
  CHECK(records[4].line == 5);
}
