#pragma once
// The HTTP half both baselines share: a Boost.Beast HTTP/1.1 keep-alive server, one coroutine
// per connection, answering every request with 200 and the JSON body its handler produces. It is
// a ceiling for PayrollX's own stack (no routing, auth, logging or metrics), so it stays minimal.
//
// Each io thread runs its own io_context with its own acceptor on the shared port
// (SO_REUSEPORT lets the kernel spread connections): a request never leaves its thread, so
// per-thread handler state (the db baseline's connections) needs no locks.
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace payrollx::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The same number of io threads the benchmark gives `payrollx serve` (PAYROLLX_THREADS).
constexpr int k_threads = 2;

using Handler = std::function<asio::awaitable<std::string>()>;
// Called once per io thread, on that thread, with the thread's io_context.
using MakeHandler = std::function<Handler(asio::io_context&)>;

// A baseline that fails must stop loudly rather than report figures for errors.
inline void rethrow(const std::exception_ptr& error) {
  if (error) std::rethrow_exception(error);
}

inline asio::awaitable<void> serve_connection(tcp::socket socket, const Handler& handler) {
  constexpr auto k_token = asio::as_tuple(asio::use_awaitable);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    // A read error is the client closing its connection: the normal end of a session.
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, request, k_token);
    if (read_error) co_return;
    http::response<http::string_body> response(http::status::ok, request.version());
    response.set(http::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = co_await handler();
    response.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, response, k_token);
    if (write_error || !response.keep_alive()) co_return;
  }
}

inline void serve_thread(std::uint16_t port, const MakeHandler& make_handler) {
  asio::io_context io(1);
  const Handler handler = make_handler(io);
  tcp::acceptor acceptor(io);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  const int enable = 1;
  if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &enable, sizeof enable))
    throw std::system_error(errno, std::system_category(), "SO_REUSEPORT");
  acceptor.bind(endpoint);
  acceptor.listen();

  auto accept_loop = [&]() -> asio::awaitable<void> {
    for (;;) {
      auto socket = co_await acceptor.async_accept(asio::use_awaitable);
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(io, serve_connection(std::move(socket), handler), rethrow);
    }
  };
  asio::co_spawn(io, accept_loop, rethrow);
  io.run();
}

// Serves on 127.0.0.1:port with k_threads io threads until the process is killed.
inline void serve(std::uint16_t port, const MakeHandler& make_handler) {
  std::vector<std::jthread> threads;
  for (int i = 0; i < k_threads; ++i) threads.emplace_back(serve_thread, port, make_handler);
}

}  // namespace payrollx::bench
