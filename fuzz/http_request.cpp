// The server's reading of a request, from the bytes of a connection to the handler's door: Beast's
// parser with the server's limits, the head as our Request (core/http/request_head), the route,
// its body limit and the request id, for each request of a keep-alive connection. Besides crashes
// and UB, it checks that the bytes read the same whatever reads they arrive in (the server parses
// what each read brings), and what the code after the parser relies on.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "core/auth/jwt.hpp"
#include "core/http/dispatcher.hpp"
#include "core/http/request_head.hpp"
#include "core/http/router.hpp"
#include "core/metrics.hpp"
#include "core/uuid.hpp"

namespace {

using namespace payrollx;
using namespace payrollx::http;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr std::uint32_t k_header_limit = 8 * 1024;  // ServerOptions' default
constexpr std::size_t k_body_limit = 1024 * 1024;   // Config's default
// The documents route takes 10 MiB in the server; here less than a fuzz input holds, so that a
// route's own limit is reached too.
constexpr std::size_t k_upload_limit = 64;
// A connection's requests read per input: enough to reach pipelining, bounded for speed.
constexpr std::size_t k_max_requests = 4;

Route route(std::string method, std::string pattern, std::size_t body_limit = 0) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.access = Access::anyone();
  r.body_limit = body_limit;
  return r;  // no handler: nothing is dispatched
}

// Shapes of the real routes: literals, parameters, literals after parameters, two parameters.
const Router& router() {
  static const Router routes = [] {
    Router r;
    r.add(route("GET", "/health/live"));
    r.add(route("GET", "/api/v1/employees"));
    r.add(route("POST", "/api/v1/employees"));
    r.add(route("GET", "/api/v1/employees/{id}"));
    r.add(route("PATCH", "/api/v1/employees/{id}"));
    r.add(route("POST", "/api/v1/employees/import"));
    r.add(route("POST", "/api/v1/employees/{id}/documents", k_upload_limit));
    r.add(route("GET", "/api/v1/employees/{id}/documents/{docId}/content"));
    r.add(route("POST", "/api/v1/payroll/runs/{id}/approve"));
    r.add(route("GET", "/api/v1/payroll/runs/{id}/payslips/{employeeId}"));
    r.add(route("GET", "/api/v1/me/employee"));
    return r;
  }();
  return routes;
}

const Dispatcher& dispatcher() {
  static const TokenSigner tokens("fuzz-secret-fuzz-secret-fuzz-secret", std::chrono::minutes(15));
  static Metrics metrics;
  static const Dispatcher instance(router(), tokens, metrics, k_body_limit);
  return instance;
}

// What the server made of one request: how it ended and, once its head was read, the request.
struct Outcome {
  std::string end;  // "complete", "ended" (the bytes ran out: closed unanswered) or a refusal
  std::optional<Request> request;
  bool keep_alive = false;

  bool operator==(const Outcome& other) const {
    auto same = [](const Request& a, const Request& b) {
      return a.method == b.method && a.target == b.target && a.path == b.path &&
             a.query == b.query && a.headers == b.headers && a.body == b.body;
    };
    return end == other.end && keep_alive == other.keep_alive &&
           request.has_value() == other.request.has_value() &&
           (!request || same(*request, *other.request));
  }
};

// The bytes of a connection, arriving `step` at a time.
class Connection {
 public:
  Connection(std::string_view bytes, std::size_t step)
      : bytes_(bytes), step_(step), arrived_(std::min(step, bytes.size())) {}

  // As the server's parse_until: what has arrived goes to the parser until `done`, reading more
  // as needed; the parser's error, or nullopt when the bytes ran out.
  template <class Parser, class Done>
  std::optional<beast::error_code> parse_until(Parser& parser, Done done) {
    for (;;) {
      if (done()) return beast::error_code();
      beast::error_code ec;
      used_ += parser.put(boost::asio::buffer(bytes_.data() + used_, arrived_ - used_), ec);
      FUZZ_CHECK(used_ <= arrived_);
      if (ec && ec != bhttp::error::need_more) return ec;
      if (done()) return beast::error_code();
      if (arrived_ == bytes_.size()) return std::nullopt;
      arrived_ = std::min(arrived_ + step_, bytes_.size());
    }
  }

  bool drained() const { return used_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t step_;
  std::size_t arrived_;
  std::size_t used_ = 0;
};

void check_head(const Request& request, const bhttp::request_header<>& header) {
  FUZZ_CHECK(request.method == header.method_string());
  FUZZ_CHECK(request.target == header.target());
  FUZZ_CHECK(!request.path.empty() && request.path.front() == '/');
  for (const auto& [name, value] : request.headers)
    FUZZ_CHECK(std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
}

void check_match(const Match& match, const Request& request) {
  if (!match.route) {
    FUZZ_CHECK(std::find(match.allowed_methods.begin(), match.allowed_methods.end(),
                         request.method) == match.allowed_methods.end());
    return;
  }
  FUZZ_CHECK(match.route->method == request.method);
  FUZZ_CHECK(match.params.size() ==
             static_cast<std::size_t>(
                 std::count(match.route->pattern.begin(), match.route->pattern.end(), '{')));
  for (const auto& [name, value] : match.params) FUZZ_CHECK(!name.empty() && !value.empty());
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// The id goes into the answer's header and the log line: the client's own when it is 1..128
// printable ASCII characters, else a new UUID.
void check_request_id(const Request& request) {
  auto id = request_id_of(request);
  auto given = request.header("x-request-id");
  bool usable = given && !given->empty() && given->size() <= 128 && is_printable_ascii(*given);
  FUZZ_CHECK(usable ? id == *given : Uuid::parse(id).has_value());
}

Outcome read_request(Connection& connection) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(k_header_limit);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // the route's, once known
  Outcome outcome{.end = "ended"};
  auto header_ec = connection.parse_until(parser, [&] { return parser.is_header_done(); });
  if (!header_ec) return outcome;
  if (*header_ec) return {.end = header_ec->message()};

  outcome.request = to_request(parser.get());
  if (!outcome.request) return {.end = "bad target"};
  auto& request = *outcome.request;
  check_head(request, parser.get());
  auto match = router().match(request.method, request.path);
  check_match(match, request);
  check_request_id(request);

  auto limit = dispatcher().body_limit_for(match);
  parser.body_limit(limit);
  if (auto declared = parser.content_length(); declared && *declared > limit)
    return {.end = "declared body too large", .request = std::move(request)};
  parser.eager(true);
  auto body_ec = connection.parse_until(parser, [&] { return parser.is_done(); });
  if (!body_ec) return outcome;
  if (*body_ec) return {.end = body_ec->message(), .request = std::move(request)};
  request.body = parser.get().body();
  FUZZ_CHECK(request.body.size() <= limit);
  outcome.end = "complete";
  outcome.keep_alive = parser.get().keep_alive();
  return outcome;
}

// The requests of a connection, as the server reads them: on while they keep the connection.
std::vector<Outcome> read_connection(std::string_view bytes, std::size_t step) {
  Connection connection(bytes, step);
  std::vector<Outcome> outcomes;
  do {
    outcomes.push_back(read_request(connection));
  } while (outcomes.back().keep_alive && !connection.drained() && outcomes.size() < k_max_requests);
  return outcomes;
}

// Whether the requests read from the bytes in pieces are those read from them at once. Beast
// checks the request line as soon as it has bytes, but once it asked for more it waits for the
// end of the header: a head refused at once may, in pieces, still wait when the bytes end (the
// server then closes the connection unanswered, as for any request cut short).
bool same_reading(const std::vector<Outcome>& whole, const std::vector<Outcome>& pieces) {
  if (whole.size() != pieces.size()) return false;
  for (std::size_t i = 0; i + 1 < whole.size(); ++i)
    if (whole[i] != pieces[i]) return false;
  const auto& at_once = whole.back();
  const auto& in_pieces = pieces.back();
  return at_once == in_pieces ||
         (in_pieces.end == "ended" && !in_pieces.request && at_once.end != "complete");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto whole = read_connection(bytes, std::max<std::size_t>(size, 1));
  // A split that depends on the input, so that every boundary gets tried somewhere.
  auto pieces = read_connection(bytes, 1 + size % 23);
  if (!same_reading(whole, pieces)) {
    for (const auto& [name, outcomes] : {std::pair{"whole", &whole}, std::pair{"pieces", &pieces}})
      for (const auto& outcome : *outcomes)
        std::fprintf(stderr, "%s: %s\n", name, outcome.end.c_str());
    FUZZ_CHECK(same_reading(whole, pieces));
  }
  return 0;
}
