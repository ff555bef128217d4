// The Beast server in-process, on a free port, with routes of the test's own: no database.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <thread>

#include "core/auth/jwt.hpp"
#include "core/http/context.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/router.hpp"
#include "core/http/server.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "http_client.hpp"

using namespace payrollx;
using namespace payrollx::http;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using test::HttpClient;

namespace {

ServerOptions test_options() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.read_timeout = 2s;
  options.idle_timeout = 5s;
  options.shutdown_timeout = 5s;
  return options;
}

Route route(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.access = Access::anyone();
  r.handler = std::move(handler);
  return r;
}

struct ServerWorld {
  Router router;
  TokenSigner tokens{"server-test-secret-with-enough-bytes-0000", 900s};
  Metrics metrics;
  Dispatcher dispatcher{router, tokens, metrics, 1024 * 1024};
  // As `serve` runs it: the acceptor on one context, connections on another, a thread each.
  asio::io_context io{1};
  asio::io_context sessions{1};
  asio::executor_work_guard<asio::io_context::executor_type> sessions_work{sessions.get_executor()};
  std::unique_ptr<Server> server;
  std::vector<std::thread> threads;
  bool stopped = false;

  explicit ServerWorld(ServerOptions options = test_options()) {
    log::configure(log::Level::warn, true);
    router.add(route("GET", "/items/{id}", [](RequestContext& ctx) -> asio::awaitable<Response> {
      boost::json::object query;
      for (const auto& [key, value] : ctx.request().query) query[key] = value;
      boost::json::object body{
          {"id", ctx.param("id")}, {"query", query}, {"client", ctx.client_address()}};
      co_return Response::json(200, body);
    }));
    router.add(route("POST", "/echo", [](RequestContext& ctx) -> asio::awaitable<Response> {
      co_return Response::json(200, ctx.json_body());
    }));
    // An upload that needs a FINANCE_MANAGER: its body is only read once the caller is known.
    Route upload = route("POST", "/upload", [](RequestContext& ctx) -> asio::awaitable<Response> {
      boost::json::object body{{"bytes", ctx.request().body.size()}};
      co_return Response::json(200, body);
    });
    upload.access = Access::roles_of({Role::finance_manager});
    upload.body_limit = 10 * 1024 * 1024;
    router.add(std::move(upload));
    router.add(route("GET", "/slow", [](RequestContext&) -> asio::awaitable<Response> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 500ms);
      co_await timer.async_wait(asio::use_awaitable);
      boost::json::object body{{"slow", true}};
      co_return Response::json(200, body);
    }));
    server = std::make_unique<Server>(io, std::vector<asio::io_context*>{&io, &sessions},
                                      dispatcher, options);
    server->start();
    threads.emplace_back([this] { io.run(); });
    threads.emplace_back([this] { sessions.run(); });
  }

  ~ServerWorld() {
    if (!stopped) shutdown();
    io.stop();
    sessions.stop();
    for (auto& thread : threads) thread.join();
    log::configure(log::Level::info, true);
  }

  void shutdown() {
    stopped = true;
    asio::co_spawn(io, server->shutdown(), asio::use_future).get();
  }

  std::uint16_t port() const { return server->port(); }

  // A plain connected socket, for what the HTTP client cannot do (stay silent, half a request).
  tcp::socket connect() {
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()));
    return socket;
  }
};

std::string token_for(const TokenSigner& tokens, Role role) {
  Principal principal;
  principal.user_id = Uuid::random();
  principal.organization_id = Uuid::random();
  principal.role = role;
  return tokens.issue(principal, now());
}

// Reads one answer's head and its Content-Length body, and nothing more.
std::string read_answer(tcp::socket& socket) {
  std::string received;
  char chunk[4096];
  for (;;) {
    auto end = received.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto at = received.find("Content-Length: ");
      auto length = at == std::string::npos ? 0 : std::stoul(received.substr(at + 16));
      if (received.size() >= end + 4 + length) return received;
    }
    boost::system::error_code ec;
    auto n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) return received;
    received.append(chunk, n);
  }
}

// Reads until the server closes the connection; returns what came and how long it took.
std::pair<std::string, std::chrono::milliseconds> read_until_closed(tcp::socket& socket) {
  auto start = std::chrono::steady_clock::now();
  std::string received;
  boost::system::error_code ec;
  char chunk[4096];
  while (!ec) {
    auto n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk, n);
  }
  return {received, std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)};
}

}  // namespace

TEST_CASE("http server: keep-alive requests with decoded paths and queries") {
  ServerWorld world;
  HttpClient client(world.port());
  auto first = client.get("/items/a%20b?x=1&y=hello+world&z=%2F");
  REQUIRE(first.status == 200);
  auto body = first.json();
  CHECK(body.at("id") == "a b");
  CHECK(body.at("query").at("x") == "1");
  CHECK(body.at("query").at("y") == "hello world");
  CHECK(body.at("query").at("z") == "/");
  CHECK(body.at("client") == "127.0.0.1");
  CHECK(first.header("x-request-id"));
  CHECK(first.header("connection") != "close");

  auto echo = client.post("/echo", {{"hello", "world"}});
  CHECK(echo.status == 200);
  CHECK(echo.json().at("hello") == "world");

  auto missing = client.get("/missing", "");
  CHECK(missing.status == 404);
  CHECK(missing.header("content-type") == "application/problem+json");
  CHECK(missing.json().at("requestId").as_string() == *missing.header("x-request-id"));
}

TEST_CASE("http server: the X-Request-Id of the request is echoed") {
  ServerWorld world;
  HttpClient client(world.port());
  auto response = client.request("GET", "/items/1", "", {{"X-Request-Id", "trace-abc-123"}});
  CHECK(response.header("X-Request-Id") == "trace-abc-123");
}

TEST_CASE("http server: a body over the limit is 413") {
  ServerWorld world;
  HttpClient client(world.port());
  std::string big = "{\"a\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"}";
  auto response = client.request("POST", "/echo", big);
  CHECK(response.status == 413);
  CHECK(response.json().at("code") == "payload_too_large");
  CHECK(response.header("connection") == "close");

  // Chunked, without a Content-Length: the limit still holds.
  std::string chunked =
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "80000\r\n" + std::string(0x80000, ' ') + "\r\n";
  chunked += "0\r\n\r\n";
  CHECK(client.raw(chunked).status == 413);

  // The server is fine afterwards.
  CHECK(client.post("/echo", {{"small", true}}).status == 200);
}

TEST_CASE("http server: headers over 8 KiB are 431") {
  ServerWorld world;
  HttpClient client(world.port());
  auto response = client.request("GET", "/items/1", "", {{"X-Padding", std::string(10000, 'p')}});
  CHECK(response.status == 431);
  CHECK(response.header("content-type") == "application/problem+json");
  CHECK(client.get("/items/1").status == 200);
}

TEST_CASE("http server: malformed requests are 400 problems, never a crash") {
  ServerWorld world;
  HttpClient client(world.port());
  auto garbage = client.raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(garbage.status == 400);
  CHECK(garbage.json().at("code") == "validation_failed");

  CHECK(client.raw("GET /items/1 HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").status ==
        400);
  CHECK(client.raw("GET /items/%zz HTTP/1.1\r\nHost: x\r\n\r\n").status == 400);
  CHECK(client.raw("GET http://example.com/items/1 HTTP/1.1\r\nHost: x\r\n\r\n").status == 400);
  CHECK(client.raw("\x01\x02\x03\r\n\r\n").status == 400);
  CHECK(client.raw("").status == 0);  // nothing sent, nothing answered

  auto json = client.request("POST", "/echo", "{not json", {{"Content-Type", "application/json"}});
  CHECK(json.status == 400);
  auto media = client.request("POST", "/echo", "{}", {{"Content-Type", "text/plain"}});
  CHECK(media.status == 415);
  CHECK(media.json().at("code") == "unsupported_media_type");

  CHECK(client.get("/items/still-alive").status == 200);
}

TEST_CASE("http server: a chunked body sent whole is answered at once") {
  ServerWorld world;
  HttpClient client(world.port());
  auto started = std::chrono::steady_clock::now();
  auto echoed = client.raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n");
  CHECK(echoed.status == 200);
  CHECK(echoed.body == R"({"a":1})");
  // Answered from what arrived, not after the read timeout (2 s here).
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}

TEST_CASE("http server: idle and slow connections time out") {
  auto options = test_options();
  options.idle_timeout = 200ms;
  options.read_timeout = 300ms;
  ServerWorld world(options);

  auto idle = world.connect();
  auto [idle_bytes, idle_wait] = read_until_closed(idle);
  CHECK(idle_bytes.empty());
  CHECK(idle_wait < 3s);

  auto half = world.connect();
  asio::write(half, asio::buffer(std::string("GET /items/1 HTTP/1.1\r\nHost: x\r\n")));
  auto [half_bytes, half_wait] = read_until_closed(half);
  CHECK(half_wait < 3s);

  // The server itself is unaffected.
  HttpClient client(world.port());
  CHECK(client.get("/items/1").status == 200);
}

TEST_CASE("http server: parallel clients on several threads") {
  ServerWorld world;
  std::vector<std::future<int>> results;
  for (int t = 0; t < 8; ++t)
    results.push_back(std::async(std::launch::async, [port = world.port(), t] {
      HttpClient client(port);
      int ok = 0;
      for (int i = 0; i < 50; ++i) {
        auto response = client.get("/items/" + std::to_string(t * 100 + i));
        if (response.status == 200 &&
            response.json().at("id").as_string() == std::to_string(t * 100 + i))
          ++ok;
      }
      return ok;
    }));
  for (auto& result : results) CHECK(result.get() == 50);
}

TEST_CASE("http server: graceful shutdown finishes requests in flight and closes idle ones") {
  ServerWorld world;
  auto idle = world.connect();

  auto slow = std::async(std::launch::async, [port = world.port()] {
    HttpClient client(port);
    return client.get("/slow");
  });
  std::this_thread::sleep_for(150ms);  // the slow request is inside its handler now

  auto started = std::chrono::steady_clock::now();
  world.shutdown();
  auto took = std::chrono::steady_clock::now() - started;

  auto response = slow.get();
  CHECK(response.status == 200);
  CHECK(response.json().at("slow") == true);
  CHECK(response.header("connection") == "close");
  CHECK(took < 3s);  // it waited for the request, not for the 5 s deadline

  auto [idle_bytes, idle_wait] = read_until_closed(idle);
  CHECK(idle_bytes.empty());
  CHECK(idle_wait < 1s);

  tcp::socket refused(world.io);
  boost::system::error_code ec;
  refused.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), world.port()), ec);
  CHECK(ec);
}

TEST_CASE("http server: a refused request is answered before its body is sent") {
  ServerWorld world;
  const std::string nine_megabytes = "Content-Length: 9000000\r\nContent-Type: text/plain\r\n";
  struct Case {
    std::string head;
    std::string status;
  };
  const std::vector<Case> cases{
      {"POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not.a.token\r\n", "401"},
      {"POST /upload HTTP/1.1\r\nHost: x\r\n", "401"},
      {"POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
           token_for(world.tokens, Role::employee) + "\r\n",
       "403"},
      {"POST /nowhere HTTP/1.1\r\nHost: x\r\n", "404"},
      {"PUT /upload HTTP/1.1\r\nHost: x\r\n", "405"},
  };
  for (const auto& c : cases) {
    INFO(c.head);
    auto socket = world.connect();
    // Only the head: no byte of the 9 MB body is ever sent before the answer comes.
    asio::write(socket, asio::buffer(c.head + nine_megabytes + "\r\n"));
    auto answer = read_answer(socket);
    CHECK(answer.starts_with("HTTP/1.1 " + c.status));
    CHECK(answer.find("Connection: close") != std::string::npos);
    // The body is not read: the server closes the connection after a bounded drain, so sending
    // it fails instead of being consumed.
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(std::string(9'000'000, 'x')), ec);
    CHECK(ec);
  }
  // A refused request without a body keeps its connection; the server is fine afterwards.
  HttpClient client(world.port());
  CHECK(client.request("POST", "/upload", "", {{"Authorization", "Bearer bad"}}).status == 401);
  auto accepted = client.request("POST", "/upload", std::string(3'000'000, 'y'),
                                 {{"Content-Type", "text/plain"}},
                                 token_for(world.tokens, Role::finance_manager));
  CHECK(accepted.status == 200);
  CHECK(accepted.json().at("bytes") == 3'000'000);
}

TEST_CASE("http server: a transfer coding other than chunked is 400") {
  ServerWorld world;
  HttpClient client(world.port());
  for (auto coding : {"gzip", "gzip, chunked", "identity", "chunked, chunked"}) {
    INFO(coding);
    auto answer = client.raw(std::string("POST /echo HTTP/1.1\r\nHost: x\r\n"
                                         "Content-Type: application/json\r\n"
                                         "Transfer-Encoding: ") +
                             coding + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    CHECK(answer.status == 400);
  }
  CHECK(client
            .raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
            .status == 200);
}
