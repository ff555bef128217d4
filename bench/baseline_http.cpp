// The HTTP ceiling: Beast answering every request with a fixed 40-byte JSON body, to compare
// with PayrollX's /health/live (bench/run). Usage: baseline_http PORT
#include <cstdio>
#include <string>
#include <string_view>

#include "baseline_server.hpp"

namespace {

using namespace payrollx::bench;

// 40 bytes, about the size of a small API answer.
constexpr std::string_view k_body = R"({"status":"ok","server":"baseline-http"})";
static_assert(k_body.size() == 40);

asio::awaitable<std::string> fixed_body() {
  co_return std::string(k_body);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: baseline_http PORT\n");
    return 2;
  }
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  serve(port, [](asio::io_context&) -> Handler { return fixed_body; });
}
