#pragma once
// The server's own request and response types: Beast stays inside server.cpp, so modules
// compile without it.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace payrollx::http {

struct Request {
  std::string method;                                        // "GET", "POST", ...
  std::string target;                                        // as received: path and query
  std::string path;                                          // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;    // decoded parameters, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // Header lookup by lower-case name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A body too large to hold at once (a report's file): `stream_size` bytes that `next_piece`
  // produces a piece at a time (an empty piece: no more), each written as it comes; `body` is
  // then empty. A stream that ends early or fails closes the connection.
  std::function<boost::asio::awaitable<std::string>()> next_piece;
  std::size_t stream_size = 0;

  static Response json(int status, const boost::json::value& value);
  static Response no_content();
  static Response text(int status, std::string content_type, std::string body);
};

}  // namespace payrollx::http
