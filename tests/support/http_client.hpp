#pragma once
// A small blocking HTTP/1.1 client (Beast) for end-to-end tests; one keep-alive connection.
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace payrollx::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  std::string body;
  Headers headers;
  boost::json::value json() const;  // throws when the body is not JSON
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();

  // `token` adds "Authorization: Bearer <token>"; a non-empty body without a Content-Type
  // header is sent as application/json.
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = "", const Headers& headers = {},
                       const std::string& token = "");
  HttpResponse get(const std::string& target, const std::string& token = "");
  HttpResponse post(const std::string& target, const boost::json::value& body,
                    const std::string& token = "", const Headers& headers = {});
  HttpResponse put(const std::string& target, const boost::json::value& body,
                   const std::string& token = "");
  HttpResponse patch(const std::string& target, const boost::json::value& body,
                     const std::string& token = "");
  HttpResponse del(const std::string& target, const std::string& token = "");
  // Writes raw bytes on a fresh connection and reads one response (malformed requests).
  HttpResponse raw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace payrollx::test
