#include "core/http/response_head.hpp"

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace payrollx::http {
namespace {

namespace bhttp = boost::beast::http;

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head += name;
  head += ": ";
  head += value;
  head += "\r\n";
}

void append_number(std::string& head, std::size_t value) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  head.append(digits, end);
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
  // Written on every response, so without a format string to parse.
  head += "HTTP/";
  head += static_cast<char>('0' + version / 10 % 10);
  head += '.';
  head += static_cast<char>('0' + version % 10);
  head += ' ';
  append_number(head, static_cast<std::size_t>(response.status));
  head += ' ';
  head.append(reason.data(), reason.size());
  head += "\r\n";
  for (const auto& [name, value] : response.headers) append_field(head, name, value);
  if (!response.content_type.empty()) append_field(head, "Content-Type", response.content_type);
  if (has_body(response.status)) {
    head += "Content-Length: ";
    append_number(head, response.next_piece ? response.stream_size : response.body.size());
    head += "\r\n";
  }
  // HTTP/1.1 keeps connections open unless told; HTTP/1.0 closes them unless told.
  if (version >= 11 && !keep_alive) append_field(head, "Connection", "close");
  if (version < 11 && keep_alive) append_field(head, "Connection", "keep-alive");
  head += "\r\n";
  return head;
}

}  // namespace payrollx::http
