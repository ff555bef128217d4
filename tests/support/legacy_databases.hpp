#pragma once
// The eight legacy databases of a test (tests/legacy/schema.sql), each a new database of the
// test cluster, loaded with the sample data set or left empty for the test to fill.
#include <map>
#include <string>
#include <string_view>

namespace payrollx::test {

class LegacyDatabases {
 public:
  // With the sample data of tests/legacy/sample-data.sql when `sample` is true.
  LegacyDatabases(std::string_view label, bool sample);
  // The --source-template of these databases (their names with {db}).
  const std::string& source_template() const { return template_; }
  // The connection string of one of them ("auth", "org", ...).
  std::string url(std::string_view database) const;

 private:
  std::string template_;
};

// The line of an import's report that starts with `start` (a legacy table's, a skipped row's, an
// amount's), with its leading spaces dropped and runs of spaces squeezed to one; "" when none.
std::string report_line(const std::string& output, const std::string& start);

}  // namespace payrollx::test
