#include "core/http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <limits>
#include <mutex>
#include <system_error>
#include <unordered_map>

#include "core/error.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/request_head.hpp"
#include "core/http/response_head.hpp"
#include "core/log.hpp"
#include "core/uuid.hpp"

namespace payrollx::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t k_read_chunk = 8192;
// After refusing a request, the unread rest of it is drained this long before closing: closing
// a socket with unread input resets the connection and the client may lose the answer.
constexpr std::chrono::seconds k_linger{5};
// ...and at most this many bytes of it: a client that keeps sending a body nobody will read
// (a 9 MB upload refused 401) is cut off instead of being read to the end.
constexpr std::size_t k_linger_bytes = 256 * 1024;
constexpr std::chrono::milliseconds k_shutdown_poll{10};
constexpr std::chrono::seconds k_sweeps_stop{2};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == b;
}

// Errors of the HTTP parser that mean the client sent something that is not HTTP (answered
// 400), as opposed to a connection that ended or timed out (closed without an answer).
bool is_malformed(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

Problem headers_too_large(std::size_t limit) {
  return Problem(431, "headers_too_large",
                 fmt::format("The request headers exceed the limit of {} bytes.", limit));
}

Problem body_too_large(std::size_t limit) {
  return payload_too_large(fmt::format("The request body exceeds the limit of {} bytes.", limit));
}

Problem malformed_request() {
  return bad_request("The request is not valid HTTP/1.1.");
}

// RFC 9112 6.1: a server that receives a transfer coding it does not understand answers 501;
// our API answers 400 (docs/design.md). Only `chunked` alone is understood (no gzip, no lists).
bool has_unsupported_transfer_encoding(const Request& request) {
  for (const auto& [name, value] : request.headers)
    if (name == "transfer-encoding") {
      auto begin = value.find_first_not_of(" \t");
      auto end = value.find_last_not_of(" \t");
      if (begin == std::string::npos || !iequals(value.substr(begin, end - begin + 1), "chunked"))
        return true;
    }
  return false;
}

using Clock = std::chrono::steady_clock;

// A connection. Touched only on its context's thread: the session coroutine, its context's
// deadline sweep and the shutdown's posted checks.
struct Session {
  explicit Session(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  // Between reading the first byte of a request and writing its answer.
  bool in_request = false;
  // The pending read or write is cancelled once this passes (none while a handler runs).
  Clock::time_point deadline = Clock::time_point::max();
  // The deadline passed: every read or write fails from then on, also one that had completed
  // just before the sweep or starts after it.
  bool timed_out = false;
};

// The sessions of one context and the timer that sweeps their deadlines: a deadline costs a
// clock read per read or write instead of a timer armed and cancelled around each of them.
struct ContextSessions {
  explicit ContextSessions(asio::io_context& context) : sweep(context) {}
  std::vector<Session*> sessions;
  asio::steady_timer sweep;
  bool stopped = false;
};

// Deadlines are checked this often: a quarter of the shortest timeout, within bounds.
std::chrono::milliseconds sweep_interval(const ServerOptions& options) {
  auto shortest = std::min(options.read_timeout, options.idle_timeout);
  return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(1000));
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, std::vector<asio::io_context*> session_contexts,
       Dispatcher& dispatcher, ServerOptions options)
      : io_(io),
        dispatcher_(dispatcher),
        options_(std::move(options)),
        acceptor_strand_(asio::make_strand(io)),
        acceptor_(acceptor_strand_) {
    if (session_contexts.empty()) session_contexts.push_back(&io);
    for (auto* context : session_contexts) contexts_.emplace_back(*context);
  }

  void start();
  std::uint16_t port() const { return port_; }
  asio::awaitable<void> shutdown(std::shared_ptr<Impl> self);

 private:
  struct Context {
    explicit Context(asio::io_context& c) : io(c), sessions(std::make_unique<ContextSessions>(c)) {}
    asio::io_context& io;
    std::unique_ptr<ContextSessions> sessions;
  };

  tcp::endpoint endpoint() const;
  asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
  asio::awaitable<void> sweep(std::shared_ptr<Impl> self, ContextSessions& home);
  asio::awaitable<void> serve(std::shared_ptr<Impl> self, std::shared_ptr<Session> session,
                              ContextSessions& home);
  asio::awaitable<bool> serve_one(Session& session, beast::flat_buffer& buffer,
                                  const std::string& client);
  asio::awaitable<bool> read_more(Session& session, beast::flat_buffer& buffer);
  asio::awaitable<bool> write(Session& session, const Response& response, unsigned version,
                              bool keep_alive);
  asio::awaitable<bool> write_stream(Session& session, const Response& response);
  asio::awaitable<void> refuse(Session& session, const Problem& problem,
                               const std::string& request_id);
  asio::awaitable<void> close_unread(Session& session);
  std::vector<std::shared_ptr<Session>> live_sessions();
  bool add_session(const std::shared_ptr<Session>& session);
  void remove_session(Session* session);

  asio::io_context& io_;
  std::vector<Context> contexts_;
  std::size_t next_context_ = 0;  // touched only by the accept loop
  Dispatcher& dispatcher_;
  ServerOptions options_;
  asio::strand<asio::io_context::executor_type> acceptor_strand_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> closing_{false};
  // Sweeps not yet ended: they hold the server alive, so the shutdown waits for them before its
  // caller may stop the contexts.
  std::atomic<std::size_t> sweeps_running_{0};
  std::mutex sessions_mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

tcp::endpoint Server::Impl::endpoint() const {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (!ec) return {address, options_.port};
  tcp::resolver resolver(io_);
  auto results = resolver.resolve(options_.host, std::to_string(options_.port));
  return results.begin()->endpoint();
}

void Server::Impl::start() {
  try {
    auto where = endpoint();
    acceptor_.open(where.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(where);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::system_error(e.code(),
                            fmt::format("cannot listen on {}:{}", options_.host, options_.port));
  }
  auto local = acceptor_.local_endpoint();
  port_ = local.port();
  log::info("server.listening", {{"address", local.address().to_string()}, {"port", port_}});
  auto self = shared_from_this();
  sweeps_running_ = contexts_.size();
  for (auto& context : contexts_)
    asio::co_spawn(context.io, sweep(self, *context.sessions), asio::detached);
  asio::co_spawn(acceptor_strand_, accept_loop(self), asio::detached);
}

asio::awaitable<void> Server::Impl::accept_loop(std::shared_ptr<Impl> self) {
  asio::steady_timer backoff(acceptor_strand_);
  for (;;) {
    // Round robin over the session contexts: one thread each, so no strand is needed.
    auto& context = contexts_[next_context_++ % contexts_.size()];
    tcp::socket socket(context.io.get_executor());
    auto [ec] = co_await acceptor_.async_accept(socket, k_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: wait instead of spinning on the error.
      log::warn("server.accept_failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(k_tuple);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket));
    if (!add_session(session)) co_return;
    asio::co_spawn(context.io, serve(self, session, *context.sessions), asio::detached);
  }
}

// Cancels the pending read or write of every session of `home` whose deadline passed; ends
// after the shutdown.
asio::awaitable<void> Server::Impl::sweep(std::shared_ptr<Impl> /*alive while sweeping*/,
                                          ContextSessions& home) {
  const auto interval = sweep_interval(options_);
  while (!home.stopped) {
    home.sweep.expires_after(interval);
    co_await home.sweep.async_wait(k_tuple);
    auto now = Clock::now();
    for (auto* session : home.sessions)
      if (session->deadline <= now) {
        session->timed_out = true;
        beast::error_code ignored;
        session->socket.cancel(ignored);
      }
  }
  --sweeps_running_;
}

bool Server::Impl::add_session(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex_);
  if (closing_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void Server::Impl::remove_session(Session* session) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
}

std::vector<std::shared_ptr<Session>> Server::Impl::live_sessions() {
  std::lock_guard lock(sessions_mutex_);
  std::vector<std::shared_ptr<Session>> live;
  for (auto& [key, weak] : sessions_)
    if (auto session = weak.lock()) live.push_back(std::move(session));
  return live;
}

asio::awaitable<void> Server::Impl::serve(std::shared_ptr<Impl> self,
                                          std::shared_ptr<Session> session, ContextSessions& home) {
  home.sessions.push_back(session.get());
  beast::error_code ec;
  auto peer = session->socket.remote_endpoint(ec);
  std::string client = ec ? std::string() : peer.address().to_string();
  beast::flat_buffer buffer;
  try {
    while (co_await serve_one(*session, buffer, client)) {
    }
  } catch (const std::exception& e) {
    // Never expected (every I/O error is handled as a value); the connection ends, not the
    // server.
    log::error("http.session_failed", {{"error", e.what()}});
  }
  session->socket.shutdown(tcp::socket::shutdown_both, ec);
  session->socket.close(ec);
  std::erase(home.sessions, session.get());
  self->remove_session(session.get());
}

// More bytes of the connection into `buffer`; false when it ended, failed or timed out.
asio::awaitable<bool> Server::Impl::read_more(Session& session, beast::flat_buffer& buffer) {
  if (session.timed_out) co_return false;
  auto [ec, n] = co_await session.socket.async_read_some(buffer.prepare(k_read_chunk), k_tuple);
  if (ec || session.timed_out) co_return false;
  buffer.commit(n);
  co_return true;
}

// The response's head and body in one gather write; false when the write failed or timed out.
asio::awaitable<bool> Server::Impl::write(Session& session, const Response& response,
                                          unsigned version, bool keep_alive) {
  if (session.timed_out) co_return false;
  auto head = response_head(response, version, keep_alive);
  std::string_view body = has_body(response.status) ? response.body : std::string_view();
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
  session.deadline = Clock::now() + options_.read_timeout;
  auto [ec, n] = co_await asio::async_write(session.socket, buffers, k_tuple);
  session.deadline = Clock::time_point::max();
  if (ec || session.timed_out) co_return false;
  if (!response.next_piece || !has_body(response.status)) co_return true;
  co_return co_await write_stream(session, response);
}

// A streamed body, piece by piece, each write with its own deadline; false when it failed, or
// when the stream did not give the size its Content-Length announced (the client must not take
// a short body for the whole file: the connection is closed).
asio::awaitable<bool> Server::Impl::write_stream(Session& session, const Response& response) {
  std::size_t written = 0;
  for (;;) {
    std::string piece;
    try {
      piece = co_await response.next_piece();
    } catch (const std::exception& e) {
      log::error("http.stream_failed", {{"error", e.what()}});
      co_return false;
    }
    if (piece.empty()) break;
    session.deadline = Clock::now() + options_.read_timeout;
    auto [ec, n] = co_await asio::async_write(session.socket, asio::buffer(piece), k_tuple);
    session.deadline = Clock::time_point::max();
    if (ec || session.timed_out) co_return false;
    written += piece.size();
  }
  if (written == response.stream_size) co_return true;
  log::error("http.stream_short", {{"announced", std::to_string(response.stream_size)},
                                   {"written", std::to_string(written)}});
  co_return false;
}

// One request and its answer. False when the connection is to be closed. The request is parsed
// from the connection's buffer as bytes arrive, with no composed read operation around it.
asio::awaitable<bool> Server::Impl::serve_one(Session& session, beast::flat_buffer& buffer,
                                              const std::string& client) {
  if (buffer.size() == 0) {
    // Idle between keep-alive requests: a shutdown may close the connection here.
    if (closing_) co_return false;
    session.deadline = Clock::now() + options_.idle_timeout;
    if (!co_await read_more(session, buffer)) co_return false;
  }
  session.in_request = true;
  session.deadline = Clock::now() + options_.read_timeout;

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options_.header_limit));
  // Beast checks Content-Length against body_limit while parsing the header, before the route
  // (and so its limit) is known: the per-route limit is applied below, after the header.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  // Parses what the buffer holds until `done` says the wanted part is in, reading more as
  // needed. An error of the parser, or nullopt when the connection ended or timed out.
  auto parse_until = [&](auto done) -> asio::awaitable<std::optional<beast::error_code>> {
    for (;;) {
      if (done()) co_return beast::error_code();  // a finished parser takes no more input
      beast::error_code ec;
      buffer.consume(parser.put(buffer.data(), ec));
      if (ec && ec != bhttp::error::need_more) co_return ec;
      if (done()) co_return beast::error_code();
      if (!co_await read_more(session, buffer)) co_return std::nullopt;
    }
  };

  auto header_ec = co_await parse_until([&] { return parser.is_header_done(); });
  if (!header_ec) co_return false;
  if (*header_ec == bhttp::error::header_limit) {
    co_await refuse(session, headers_too_large(options_.header_limit), Uuid::random().str());
    co_return false;
  }
  if (*header_ec) {
    if (is_malformed(*header_ec))
      co_await refuse(session, malformed_request(), Uuid::random().str());
    co_return false;
  }

  auto request = to_request(parser.get());
  if (!request) {
    co_await refuse(session, bad_request("The request target is not a valid path and query."),
                    Uuid::random().str());
    co_return false;
  }
  if (has_unsupported_transfer_encoding(*request)) {
    co_await refuse(session, bad_request("Only Transfer-Encoding: chunked is supported."),
                    request_id_of(*request));
    co_return false;
  }
  // The route, the token and the role are checked from the head: a refused request is answered
  // without its body being read (nor a 100 Continue sent), and the connection closes when a body
  // was announced, since what is left of it on the wire is never read.
  auto admission = dispatcher_.admit(*request);
  if (!admission.admitted()) {
    bool body_follows = parser.chunked() || parser.content_length().value_or(0) > 0;
    bool keep_alive = parser.get().keep_alive() && !body_follows && !closing_;
    auto version = parser.get().version();
    session.deadline = Clock::time_point::max();
    auto response =
        co_await dispatcher_.dispatch(std::move(*request), std::move(admission), client);
    bool written = co_await write(session, response, version, keep_alive);
    session.in_request = false;
    if (written && body_follows) co_await close_unread(session);
    co_return written&& keep_alive;
  }
  auto limit = dispatcher_.body_limit_for(admission.match);
  parser.body_limit(limit);
  auto declared = parser.content_length();
  if (declared && *declared > limit) {
    co_await refuse(session, body_too_large(limit), request_id_of(*request));
    co_return false;
  }
  if (auto expect = request->header("expect"); expect && iequals(*expect, "100-continue")) {
    constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
    auto [ec, n] = co_await asio::async_write(session.socket, asio::buffer(k_continue), k_tuple);
    if (ec || session.timed_out) co_return false;
  }
  // The header was parsed alone (its limits come first); the body in as few calls as possible:
  // without eager parsing, put stops at every chunk boundary of a chunked body.
  parser.eager(true);
  auto body_ec = co_await parse_until([&] { return parser.is_done(); });
  if (!body_ec) co_return false;
  if (*body_ec == bhttp::error::body_limit) {
    co_await refuse(session, body_too_large(limit), request_id_of(*request));
    co_return false;
  }
  if (*body_ec) {
    if (is_malformed(*body_ec))
      co_await refuse(session, malformed_request(), request_id_of(*request));
    co_return false;
  }

  auto version = parser.get().version();
  bool keep_alive = parser.get().keep_alive();
  request->body = parser.release().body();
  session.deadline = Clock::time_point::max();  // the handler takes the time it needs
  auto response = co_await dispatcher_.dispatch(std::move(*request), std::move(admission), client);

  // A response finished during a shutdown tells the client not to send another request.
  keep_alive = keep_alive && !closing_;
  bool written = co_await write(session, response, version, keep_alive);
  session.in_request = false;
  co_return written&& keep_alive;
}

asio::awaitable<void> Server::Impl::refuse(Session& session, const Problem& problem,
                                           const std::string& request_id) {
  log::warn("http.refused", {{"requestId", request_id},
                             {"status", problem.status()},
                             {"code", problem.code()},
                             {"detail", problem.detail()}});
  // (Not `if (co_await write(...)) co_await close_unread(...)`: GCC 12 miscompiles a co_await in
  // an if's condition followed by one in its branch, and the frame crashes when resumed.)
  bool written = co_await write(session, problem_response(problem, request_id), 11, false);
  if (written) co_await close_unread(session);
}

// After an answer that ends the connection before the request was read to its end: the unread
// rest is drained for a while (closing a socket with unread input resets the connection, and the
// client may lose the answer), within bounds of time and bytes.
asio::awaitable<void> Server::Impl::close_unread(Session& session) {
  beast::error_code ec;
  session.socket.shutdown(tcp::socket::shutdown_send, ec);
  session.deadline = Clock::now() + std::min<Clock::duration>(options_.read_timeout, k_linger);
  std::array<char, k_read_chunk> discard;
  std::size_t drained = 0;
  while (drained < k_linger_bytes) {
    auto [read_ec, read] = co_await session.socket.async_read_some(asio::buffer(discard), k_tuple);
    if (read_ec || session.timed_out) co_return;
    drained += read;
  }
}

asio::awaitable<void> Server::Impl::shutdown(std::shared_ptr<Impl> self) {
  {
    std::lock_guard lock(sessions_mutex_);
    closing_ = true;
  }
  asio::post(acceptor_strand_, [self] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
  // Idle keep-alive connections close now; a connection inside a request finishes it (its
  // answer says Connection: close). Both checks run on the session's thread, so a request
  // cannot start between them.
  for (auto& session : live_sessions())
    asio::post(session->socket.get_executor(), [session] {
      beast::error_code ec;
      if (!session->in_request) session->socket.cancel(ec);
    });

  // Sessions end on their own threads; polling the count is simpler than a cross-thread signal
  // and costs nothing outside a shutdown.
  auto deadline = Clock::now() + options_.shutdown_timeout;
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (!live_sessions().empty() && Clock::now() < deadline) {
    poll.expires_after(k_shutdown_poll);
    co_await poll.async_wait(k_tuple);
  }

  auto left = live_sessions();
  if (!left.empty())
    log::warn("server.shutdown_timeout", {{"connections", static_cast<std::int64_t>(left.size())}});
  for (auto& session : left)
    asio::post(session->socket.get_executor(), [session] {
      beast::error_code ec;
      session->socket.close(ec);
    });
  for (auto& context : contexts_)
    asio::post(context.io, [sessions = context.sessions.get()] {
      sessions->stopped = true;
      sessions->sweep.cancel();
    });
  // (Bounded: a context nobody runs any more would never end its sweep.)
  auto sweeps_deadline = Clock::now() + k_sweeps_stop;
  while (sweeps_running_ > 0 && Clock::now() < sweeps_deadline) {
    poll.expires_after(k_shutdown_poll);
    co_await poll.async_wait(k_tuple);
  }
}

Server::Server(asio::io_context& io, std::vector<asio::io_context*> session_contexts,
               Dispatcher& dispatcher, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(session_contexts), dispatcher,
                                   std::move(options))) {}

Server::~Server() = default;

void Server::start() {
  impl_->start();
}

std::uint16_t Server::port() const {
  return impl_->port();
}

asio::awaitable<void> Server::shutdown() {
  return impl_->shutdown(impl_);
}

}  // namespace payrollx::http
