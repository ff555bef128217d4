// The log's per-request line writer (log::write_fields): whatever its strings hold, each line is
// one JSON object that gives them back unchanged.
#include "core/log.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "captured_stdout.hpp"

using namespace payrollx;

namespace {

std::vector<boost::json::object> lines_of(const std::string& text) {
  std::vector<boost::json::object> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(boost::json::parse(line).as_object());
  return lines;
}

}  // namespace

TEST_CASE("log: request-line strings are escaped where needed and kept whole elsewhere") {
  const std::vector<std::string> values = {
      "plain-01a22f72-f4b6-7fce",
      "",
      "quote\" in the middle",
      "\"at both ends\"",
      "back\\slash",
      "line\nbreak\r\ttab",
      std::string("nul\0byte", 8),
      "bell\x07 and unit separator\x1f",
      "h\xc3\xa9llo, \xe2\x82\xac 5",
  };
  log::configure(log::Level::info, true);
  test::CapturedStdout captured;
  for (const auto& value : values) {
    const log::Field fields[] = {
        {"value", std::string_view(value)}, {"number", std::int64_t{-42}}, {"nothing", nullptr}};
    log::write_fields(log::Level::warn, "test.escape", fields);
  }
  auto lines = lines_of(captured.text());

  REQUIRE(lines.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(lines[i].at("event") == "test.escape");
    CHECK(lines[i].at("value").as_string() == values[i]);
    CHECK(lines[i].at("number") == -42);
    CHECK(lines[i].at("nothing").is_null());
  }
}
