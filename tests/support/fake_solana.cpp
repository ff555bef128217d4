// FakeSolana's HTTP side: the server, the block timer, the outage knobs and the locked accessors.
// The chain (fake_solana_chain) and the JSON-RPC methods (fake_solana_rpc) sit behind it.
#include "fake_solana.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "fake_solana_chain.hpp"
#include "fake_solana_rpc.hpp"

namespace payrollx::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

// What to send back for one request, decided when it arrives.
struct Reply {
  unsigned status = 200;
  std::string body;
  bool close = false;  // close the connection without an answer
  std::chrono::milliseconds delay{0};
};

}  // namespace

struct FakeSolana::Impl {
  // First, so that it outlives the acceptor and the sessions' sockets.
  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  const std::uint16_t port = acceptor.local_endpoint().port();  // read before the thread starts
  const std::chrono::milliseconds block_time;
  mutable std::mutex mutex;  // guards everything below
  fake_solana::Chain chain;
  std::map<std::string, int, std::less<>> calls;
  bool outage = false;
  RpcFailure outage_failure = RpcFailure::http_503;
  int failures_left = 0;
  RpcFailure next_failure = RpcFailure::http_503;
  std::chrono::milliseconds answer_delay;
  std::thread thread;

  explicit Impl(const FakeSolanaOptions& options)
      : block_time(options.block_time), chain(options), answer_delay(options.answer_delay) {}

  Reply reply_to(const bhttp::request<bhttp::string_body>& request) {
    auto parsed = fake_solana::parse_request(request.body());
    const auto* rpc = std::get_if<fake_solana::RpcRequest>(&parsed);
    std::lock_guard lock(mutex);
    if (rpc != nullptr) ++calls[rpc->method];
    Reply reply{.delay = answer_delay};
    std::optional<RpcFailure> failure;
    if (outage) {
      failure = outage_failure;
    } else if (failures_left > 0) {
      --failures_left;
      failure = next_failure;
    }
    if (failure == RpcFailure::close_connection) {
      reply.close = true;
    } else if (failure == RpcFailure::http_503) {
      reply.status = 503;
      reply.body = "Service Unavailable";
    } else if (request.method() != bhttp::verb::post) {
      reply.status = 405;
    } else if (!request[bhttp::field::content_type].starts_with("application/json")) {
      reply.status = 415;  // what a node answers
      reply.body = "Supported content types are: application/json";
    } else {
      reply.body = boost::json::serialize(rpc != nullptr ? fake_solana::answer(chain, *rpc)
                                                         : std::get<boost::json::object>(parsed));
    }
    return reply;
  }

  asio::awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(k_tuple);
      if (ec) co_return;
      asio::co_spawn(io, serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> request;
      auto [read_error, read] = co_await bhttp::async_read(stream, buffer, request, k_tuple);
      if (read_error) co_return;
      const Reply reply = reply_to(request);
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(io, reply.delay);
        co_await timer.async_wait(k_tuple);
      }
      if (reply.close) co_return;  // the socket closes with the coroutine
      bhttp::response<bhttp::string_body> response;
      response.version(request.version());
      response.result(reply.status);
      response.set(bhttp::field::content_type,
                   reply.status == 200 ? "application/json" : "text/plain");
      response.body() = reply.body;
      response.keep_alive(request.keep_alive());
      response.prepare_payload();
      auto [write_error, written] = co_await bhttp::async_write(stream, response, k_tuple);
      if (write_error || !response.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> produce_blocks() {
    asio::steady_timer timer(io);
    for (;;) {
      timer.expires_after(block_time);
      auto [ec] = co_await timer.async_wait(k_tuple);
      if (ec) co_return;
      std::lock_guard lock(mutex);
      chain.advance(1);
    }
  }
};

FakeSolana::FakeSolana(FakeSolanaOptions options) : impl_(std::make_unique<Impl>(options)) {
  asio::co_spawn(impl_->io, impl_->accept(), asio::detached);
  if (options.block_time.count() > 0)
    asio::co_spawn(impl_->io, impl_->produce_blocks(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeSolana::~FakeSolana() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeSolana::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/";
}

std::uint64_t FakeSolana::height() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.height();
}

std::uint64_t FakeSolana::slot() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.slot();
}

void FakeSolana::advance(std::uint64_t blocks) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.advance(blocks);
}

void FakeSolana::fund_lamports(const solana::PublicKey& account, std::uint64_t lamports) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.fund_lamports(account, lamports);
}

solana::PublicKey FakeSolana::fund_tokens(const solana::PublicKey& owner,
                                          const solana::PublicKey& mint, std::uint64_t amount,
                                          std::uint8_t decimals) {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.fund_tokens(owner, mint, amount, decimals);
}

void FakeSolana::drop_next(int count) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.drop_next(count);
}

void FakeSolana::fail_on_land(const solana::PublicKey& destination) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.fail_on_land(destination);
}

void FakeSolana::set_outage(bool on, RpcFailure how) {
  std::lock_guard lock(impl_->mutex);
  impl_->outage = on;
  impl_->outage_failure = how;
}

void FakeSolana::fail_next(int count, RpcFailure how) {
  std::lock_guard lock(impl_->mutex);
  impl_->failures_left = count;
  impl_->next_failure = how;
}

void FakeSolana::set_answer_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mutex);
  impl_->answer_delay = delay;
}

void FakeSolana::set_minimum_ledger_slot(std::uint64_t slot) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.set_minimum_ledger_slot(slot);
}

void FakeSolana::set_status_lag(std::uint64_t blocks) {
  std::lock_guard lock(impl_->mutex);
  impl_->chain.set_status_lag(blocks);
}

int FakeSolana::calls(std::string_view method) const {
  std::lock_guard lock(impl_->mutex);
  const auto found = impl_->calls.find(method);
  return found != impl_->calls.end() ? found->second : 0;
}

int FakeSolana::sends() const {
  return calls("sendTransaction");
}

std::vector<LandedTransaction> FakeSolana::landed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.landed();
}

std::uint64_t FakeSolana::lamports(const solana::PublicKey& account) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.lamports(account);
}

std::uint64_t FakeSolana::token_balance(const solana::PublicKey& owner,
                                        const solana::PublicKey& mint) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->chain.token_balance(owner, mint);
}

std::vector<Payment> FakeSolana::paid_to(const solana::PublicKey& wallet) const {
  using Kind = ChainInstruction::Kind;
  std::vector<Payment> payments;
  for (const LandedTransaction& landed : landed()) {
    if (landed.err) continue;
    for (const ChainInstruction& instruction : landed.instructions) {
      const bool transfer = instruction.kind == Kind::system_transfer ||
                            instruction.kind == Kind::token_transfer_checked;
      if (transfer && (instruction.recipient == wallet || instruction.destination == wallet))
        payments.push_back(Payment{.signature = landed.signature,
                                   .slot = landed.slot,
                                   .mint = instruction.mint,
                                   .amount = instruction.amount});
    }
  }
  return payments;
}

}  // namespace payrollx::test
