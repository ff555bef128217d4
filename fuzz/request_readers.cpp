// The modules' readers of request bodies and query parameters, as the routes call them: a body
// through json::parse (as RequestContext::json_body does), a query through the server's own
// reading of the request target (core/http/request_head). An input is "<reader>\n<body or query>".
// A reader accepts, with values the stores can take, or refuses with a 400; anything else is a
// finding.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "check.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/request_head.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"
#include "modules/employee/requests.hpp"
#include "modules/payroll/requests.hpp"

namespace {

using namespace payrollx;
namespace er = employee::requests;
namespace pr = payroll::requests;

// Text that is accepted goes to PostgreSQL, which refuses what is not UTF-8 (a 500, then).
void check_text(std::string_view text) {
  FUZZ_CHECK(is_valid_utf8(text));
}
// Optional and nullable (PATCH) fields: their text when they have one.
template <class T>
void check_text(const std::optional<T>& text) {
  if (text) check_text(*text);
}

void check_employee(const employee::NewEmployee& e) {
  for (const auto& text : {e.first_name, e.last_name, e.email, e.salary.currency}) check_text(text);
  for (const auto& text : {e.employee_number, e.department, e.position}) check_text(text);
  FUZZ_CHECK(e.salary.amount >= 1);
}

void check_patch(const employee::EmployeePatch& p) {
  for (const auto& text : {p.first_name, p.last_name, p.email, p.pay_frequency}) check_text(text);
  for (const auto& text : {p.employee_number, p.department, p.position}) check_text(text);
  if (p.salary) check_text(p.salary->currency);
}

// What an accepted cursor names is sent to PostgreSQL as an RFC 3339 timestamp: one that reads
// back as the same instant.
void check_page(const http::PageRequest& page) {
  FUZZ_CHECK(page.limit >= 1 && page.limit <= 200);
  if (!page.after) return;
  auto written = to_rfc3339(page.after->created_at);
  FUZZ_CHECK(parse_timestamp(written) == page.after->created_at);
}

using BodyReader = std::function<void(const boost::json::value&)>;
using QueryReader = std::function<void(const http::Request&)>;

const boost::json::object& object_of(const boost::json::value& body) {
  if (!body.is_object()) throw bad_request("The body must be a JSON object.");
  return body.get_object();
}

const std::map<std::string_view, BodyReader>& body_readers() {
  static const std::map<std::string_view, BodyReader> readers{
      {"new_employee", [](auto& body) { check_employee(er::read_new_employee(object_of(body))); }},
      {"employee_patch", [](auto& body) { check_patch(er::read_patch(object_of(body))); }},
      {"termination", [](auto& body) { FUZZ_CHECK(er::read_termination(object_of(body)).ok()); }},
      {"rejection", [](auto& body) { check_text(er::read_rejection(object_of(body))); }},
      {"wallet_address", [](auto& body) { check_text(er::read_wallet_address(object_of(body))); }},
      {"components",
       [](auto& body) {
         auto list = er::read_components(body);
         FUZZ_CHECK(list.components.size() == list.currencies.size());
         for (const auto& component : list.components) check_text(component.name);
       }},
      {"new_schedule",
       [](auto& body) {
         auto schedule = pr::read_new_schedule(object_of(body));
         check_text(schedule.name);
         check_text(schedule.currency);
       }},
      {"schedule_patch",
       [](auto& body) {
         auto patch = pr::read_schedule_patch(object_of(body));
         check_text(patch.name);
         check_text(patch.currency);
       }},
      {"run_request",
       [](auto& body) {
         auto run = pr::read_run_request(object_of(body));
         check_text(run.currency);
         if (run.items)
           for (const auto& item : *run.items) check_text(item.description);
       }},
      {"reversal", [](auto& body) { check_text(pr::read_reversal(object_of(body))); }},
  };
  return readers;
}

const std::map<std::string_view, QueryReader>& query_readers() {
  static const std::map<std::string_view, QueryReader> readers{
      {"employee_filter",
       [](auto& request) {
         auto filter = er::read_filter(request);
         check_text(filter.department);
         check_text(filter.q);
       }},
      {"document_query",
       [](auto& request) {
         auto query = er::read_document_query(request);
         check_text(query.document_type);
         check_text(query.file_name);
         FUZZ_CHECK(query.file_name.find('/') == std::string::npos);
       }},
      {"dry_run", [](auto& request) { er::read_dry_run(request); }},
      {"run_filter", [](auto& request) { pr::read_run_filter(request); }},
      {"page",
       [](auto& request) {
         http::RequestContext ctx(request, "fuzz", "127.0.0.1");
         check_page(http::page_request(ctx));
       }},
  };
  return readers;
}

// The request the server makes of "GET /?<query>"; nullopt when it would answer 400 itself.
std::optional<http::Request> request_with_query(std::string_view query) {
  boost::beast::http::request_header<> header;
  header.method(boost::beast::http::verb::get);
  header.target("/?" + std::string(query));
  return http::to_request(header);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto name = input.substr(0, newline);
  auto payload = input.substr(newline + 1);

  if (auto reader = body_readers().find(name); reader != body_readers().end()) {
    boost::json::value body;
    if (fuzz::accepts([&] { body = json::parse(payload); }))
      fuzz::accepts([&] { reader->second(body); });
  } else if (auto query = query_readers().find(name); query != query_readers().end()) {
    if (auto request = request_with_query(payload)) fuzz::accepts([&] { query->second(*request); });
  }
  return 0;
}
