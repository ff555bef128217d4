#pragma once
// Checks on answers that several end-to-end tests share.
#include <set>
#include <string>
#include <string_view>

#include "http_client.hpp"

namespace payrollx::test {

// The fields named by a problem's errors[], once its status and code are the expected ones
// (REQUIREd, so a wrong answer stops the test with its body).
std::set<std::string> problem_fields(const HttpResponse& response, int status,
                                     std::string_view code);

// "patch" -> "PATCH": OpenAPI keys methods in lower case, requests use upper case.
std::string upper(std::string text);

}  // namespace payrollx::test
