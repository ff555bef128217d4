#include "core/db/listener.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "core/db/connection.hpp"
#include "core/log.hpp"

namespace payrollx::db {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds k_first_retry{250};
constexpr std::chrono::milliseconds k_last_retry{10'000};
constexpr std::chrono::seconds k_connect_timeout{10};

bool is_identifier(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

struct Listener::Impl {
  Impl(asio::any_io_executor executor, std::string conninfo, std::string channel,
       std::function<void()> on_notify)
      : executor(std::move(executor)),
        settings(std::make_shared<ConnectionSettings>(ConnectionSettings{
            .conninfo = std::move(conninfo), .application_name = "payrollx-listener"})),
        channel(std::move(channel)),
        on_notify(std::move(on_notify)) {}

  asio::any_io_executor executor;
  std::shared_ptr<const ConnectionSettings> settings;
  std::string channel;
  std::function<void()> on_notify;
  std::atomic<bool> stopped{false};
  asio::steady_timer retry{executor};
  Connection* current = nullptr;  // touched on the executor only

  asio::awaitable<void> run(std::shared_ptr<Impl> alive_while_running);
};

asio::awaitable<void> Listener::Impl::run(std::shared_ptr<Impl> /*alive while running*/) {
  auto delay = k_first_retry;
  while (!stopped) {
    try {
      auto connection = co_await Connection::open(executor, settings,
                                                  Connection::Clock::now() + k_connect_timeout);
      co_await connection->run_script("LISTEN " + channel);
      current = connection.get();
      delay = k_first_retry;
      // Whatever was notified while no one listened: the user looks now.
      on_notify();
      while (!stopped) {
        co_await connection->notifications();
        on_notify();
      }
      current = nullptr;
    } catch (const std::exception& e) {
      current = nullptr;
      if (stopped) break;
      log::warn("db.listener_lost", {{"channel", channel}, {"error", e.what()}});
    }
    retry.expires_after(delay);
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
    delay = std::min(delay * 2, k_last_retry);
  }
}

Listener::Listener(asio::any_io_executor executor, std::string conninfo, std::string channel,
                   std::function<void()> on_notify)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(conninfo), std::move(channel),
                                   std::move(on_notify))) {
  if (!is_identifier(impl_->channel))
    throw std::invalid_argument("a LISTEN channel must be a lower-case identifier");
}

Listener::~Listener() = default;

void Listener::start() {
  asio::co_spawn(impl_->executor, impl_->run(impl_), asio::detached);
}

void Listener::stop() {
  asio::post(impl_->executor, [impl = impl_] {
    impl->stopped = true;
    impl->retry.cancel();
    // Ends the wait for notifications: the loop sees `stopped` and returns.
    if (impl->current) impl->current->shutdown();
  });
}

}  // namespace payrollx::db
