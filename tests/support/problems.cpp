#include "problems.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cctype>

namespace payrollx::test {

std::set<std::string> problem_fields(const HttpResponse& response, int status,
                                     std::string_view code) {
  INFO(response.status << " " << response.body);
  REQUIRE(response.status == status);
  auto body = response.json().as_object();
  REQUIRE(body.at("code").as_string() == code);
  std::set<std::string> fields;
  if (auto errors = body.if_contains("errors"))
    for (const auto& error : errors->as_array())
      fields.insert(std::string(error.at("field").as_string()));
  return fields;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace payrollx::test
