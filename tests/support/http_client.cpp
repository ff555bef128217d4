#include "http_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <stdexcept>

namespace payrollx::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// A test that hangs tells nothing; a read this slow fails instead.
constexpr int k_receive_timeout_seconds = 120;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

tcp::socket connect(asio::io_context& io, std::uint16_t port) {
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket.set_option(tcp::no_delay(true));
  timeval timeout{k_receive_timeout_seconds, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return socket;
}

HttpResponse to_response(bhttp::response<bhttp::string_body>&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message)
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  response.body = std::move(message.body());
  return response;
}

// Reads one response; the error is set when none could be read.
bhttp::response<bhttp::string_body> read_response(tcp::socket& socket, beast::flat_buffer& buffer,
                                                  beast::error_code& ec) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(boost::none);
  parser.header_limit(1024 * 1024);
  bhttp::read(socket, buffer, parser, ec);
  return parser.release();
}

}  // namespace

boost::json::value HttpResponse::json() const {
  return boost::json::parse(body);
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

struct HttpClient::Impl {
  explicit Impl(std::uint16_t port) : port(port) {}

  std::uint16_t port;
  asio::io_context io;
  std::optional<tcp::socket> socket;
  beast::flat_buffer buffer;

  // One attempt on the current connection (a new one when there is none). `reused` tells
  // whether the connection had served a request before, so that a failure may be a keep-alive
  // connection the server closed in the meantime.
  std::optional<HttpResponse> attempt(const bhttp::request<bhttp::string_body>& request,
                                      bool& reused) {
    reused = socket.has_value();
    if (!socket) {
      socket = connect(io, port);
      buffer.clear();
    }
    beast::error_code write_ec;
    bhttp::write(*socket, request, write_ec);
    // A server that refuses a request may answer before reading all of it: read even when the
    // write failed.
    beast::error_code read_ec;
    auto message = read_response(*socket, buffer, read_ec);
    if (read_ec) {
      socket.reset();
      if (reused) return std::nullopt;
      throw std::runtime_error("HTTP request failed: write: " + write_ec.message() +
                               ", read: " + read_ec.message());
    }
    if (!message.keep_alive()) socket.reset();
    return to_response(std::move(message));
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::request(const std::string& method, const std::string& target,
                                 const std::string& body, const Headers& headers,
                                 const std::string& token) {
  bhttp::request<bhttp::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(bhttp::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    message.set(name, value);
    has_content_type = has_content_type || iequals(name, "content-type");
  }
  if (!body.empty() && !has_content_type)
    message.set(bhttp::field::content_type, "application/json");
  if (!token.empty()) message.set(bhttp::field::authorization, "Bearer " + token);
  message.body() = body;
  message.prepare_payload();

  bool reused = false;
  if (auto response = impl_->attempt(message, reused)) return *response;
  // The server had closed the idle keep-alive connection: once more on a new one.
  auto response = impl_->attempt(message, reused);
  if (!response) throw std::runtime_error("HTTP request failed after reconnecting");
  return *response;
}

HttpResponse HttpClient::get(const std::string& target, const std::string& token) {
  return request("GET", target, "", {}, token);
}

HttpResponse HttpClient::post(const std::string& target, const boost::json::value& body,
                              const std::string& token, const Headers& headers) {
  return request("POST", target, boost::json::serialize(body), headers, token);
}

HttpResponse HttpClient::put(const std::string& target, const boost::json::value& body,
                             const std::string& token) {
  return request("PUT", target, boost::json::serialize(body), {}, token);
}

HttpResponse HttpClient::patch(const std::string& target, const boost::json::value& body,
                               const std::string& token) {
  return request("PATCH", target, boost::json::serialize(body), {}, token);
}

HttpResponse HttpClient::del(const std::string& target, const std::string& token) {
  return request("DELETE", target, "", {}, token);
}

HttpResponse HttpClient::raw(const std::string& bytes) {
  auto socket = connect(impl_->io, impl_->port);
  beast::error_code ec;
  asio::write(socket, asio::buffer(bytes), ec);
  beast::flat_buffer buffer;
  auto message = read_response(socket, buffer, ec);
  if (ec) return HttpResponse{};  // status 0: the server closed without an answer
  return to_response(std::move(message));
}

}  // namespace payrollx::test
