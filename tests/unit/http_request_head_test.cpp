// The request head as the server reads it: path and query percent-decoded ('+' in the query is a
// space), header names in lower case, and the targets it refuses (answered 400).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/http/request_head.hpp"

using namespace payrollx::http;
namespace bhttp = boost::beast::http;

namespace {

std::optional<Request> head(std::string_view target) {
  bhttp::request_header<> header;
  header.method(bhttp::verb::get);
  header.target(target);
  header.set("X-Request-Id", "abc");
  return to_request(header);
}

}  // namespace

TEST_CASE("http request head: the path and query decoded, header names in lower case") {
  auto request = head("/api/v1/employees/caf%C3%A9?q=Ada+Lovelace&department=R%26D&empty=");
  REQUIRE(request);
  CHECK(request->method == "GET");
  CHECK(request->target == "/api/v1/employees/caf%C3%A9?q=Ada+Lovelace&department=R%26D&empty=");
  CHECK(request->path == "/api/v1/employees/café");
  using Query = std::vector<std::pair<std::string, std::string>>;
  CHECK(request->query == Query{{"q", "Ada Lovelace"}, {"department", "R&D"}, {"empty", ""}});
  CHECK(request->header("x-request-id") == "abc");
}

TEST_CASE("http request head: a target that is not an origin-form path and query is refused") {
  CHECK_FALSE(head("http://payrollx.test/health/live"));
  CHECK_FALSE(head("*"));
  CHECK_FALSE(head("/items/%zz"));
}

TEST_CASE("http request head: a target that is not UTF-8 once decoded is refused") {
  // PostgreSQL refuses such text: a list filtered by it would fail its query with a 500.
  CHECK_FALSE(head("/api/v1/employees?q=ada%FF"));
  CHECK_FALSE(head("/api/v1/employees?q%C0%AF=1"));    // an overlong '/'
  CHECK_FALSE(head("/api/v1/employees?q=%ED%A0%80"));  // a surrogate
  CHECK_FALSE(head("/api/v1/employees/%FF/documents"));
  CHECK(head("/api/v1/employees?q=Zo%C3%AB%20%F0%9F%98%80"));  // "Zoë 😀"
}
