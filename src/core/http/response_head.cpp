#include "core/http/response_head.hpp"

#include <fmt/format.h>

#include <boost/beast/http/status.hpp>

namespace payrollx::http {
namespace {

namespace bhttp = boost::beast::http;

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head += name;
  head += ": ";
  head += value;
  head += "\r\n";
}

}  // namespace

bool has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

std::string response_head(const Response& response, unsigned version, bool keep_alive) {
  std::string head;
  head.reserve(160);
  auto reason =
      bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(response.status)));
  fmt::format_to(std::back_inserter(head), "HTTP/{}.{} {} {}\r\n", version / 10, version % 10,
                 response.status, std::string_view(reason.data(), reason.size()));
  for (const auto& [name, value] : response.headers) append_field(head, name, value);
  if (!response.content_type.empty()) append_field(head, "Content-Type", response.content_type);
  if (has_body(response.status))
    fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n", response.body.size());
  // HTTP/1.1 keeps connections open unless told; HTTP/1.0 closes them unless told.
  if (version >= 11 && !keep_alive) append_field(head, "Connection", "close");
  if (version < 11 && keep_alive) append_field(head, "Connection", "keep-alive");
  head += "\r\n";
  return head;
}

}  // namespace payrollx::http
