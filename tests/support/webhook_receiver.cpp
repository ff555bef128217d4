#include "webhook_receiver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>

namespace payrollx::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

ReceivedRequest recorded(const bhttp::request<bhttp::string_body>& request) {
  ReceivedRequest received;
  received.method = std::string(request.method_string());
  received.target = std::string(request.target());
  for (const auto& field : request)
    received.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  received.body = request.body();
  return received;
}

}  // namespace

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (beast::iequals(key, name)) return value;
  return std::nullopt;
}

struct WebhookReceiver::Impl {
  // First, so that it outlives the acceptor and the sessions' sockets.
  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  const std::uint16_t port = acceptor.local_endpoint().port();  // read before the thread starts
  ReceiverScript script;
  std::size_t answered = 0;  // io thread only
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> requests;
  int connections = 0;
  std::thread thread;

  int next_status() {
    return answered < script.statuses.size() ? script.statuses[answered++] : 200;
  }

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(k_tuple);
      if (ec) co_return;
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(io, serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> request;
      auto [read_error, read] = co_await bhttp::async_read(stream, buffer, request, k_tuple);
      if (read_error) co_return;
      {
        std::lock_guard lock(mutex);
        requests.push_back(recorded(request));
      }
      if (script.delay.count() > 0) {
        asio::steady_timer timer(io, script.delay);
        co_await timer.async_wait(k_tuple);
      }
      bhttp::response<bhttp::string_body> response;
      response.version(request.version());
      response.result(static_cast<unsigned>(next_status()));
      if (bhttp::to_status_class(response.result()) == bhttp::status_class::redirection)
        response.set(bhttp::field::location, "/redirected");
      response.body() = std::string(script.answer_bytes, 'x');
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, written] = co_await bhttp::async_write(stream, response, k_tuple);
      if (write_error || !response.keep_alive()) co_return;
    }
  }
};

WebhookReceiver::WebhookReceiver(ReceiverScript script) : impl_(std::make_unique<Impl>()) {
  impl_->script = std::move(script);
  asio::co_spawn(impl_->io, impl_->accept(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

WebhookReceiver::~WebhookReceiver() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t WebhookReceiver::port() const {
  return impl_->port;
}

std::string WebhookReceiver::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::vector<ReceivedRequest> WebhookReceiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

int WebhookReceiver::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

}  // namespace payrollx::test
