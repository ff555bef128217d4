// SuspensionWatch: this instance's copy of which organisations are suspended, for the
// dispatcher's check on every request. A NOTIFY from the commit of a change makes every
// instance read the set again within milliseconds; the poll covers a notification lost while the
// listening connection was down.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/auth/suspensions.hpp"
#include "core/db/listener.hpp"
#include "core/jobs.hpp"
#include "core/log.hpp"
#include "modules/organization/organization.hpp"

namespace payrollx::organization {

namespace asio = boost::asio;

struct SuspensionWatch::Impl : std::enable_shared_from_this<SuspensionWatch::Impl> {
  Impl(asio::any_io_executor executor, Service& service, Suspensions& suspensions,
       std::chrono::milliseconds poll)
      : executor(executor),
        service(service),
        suspensions(suspensions),
        poller(executor, "organization.suspensions", poll, [this] { return reload(); }) {}

  asio::awaitable<void> reload() {
    auto ids = co_await service.suspended();
    suspensions.replace(std::move(ids));
  }

  // A reload off the notification's callback; a failure waits for the next poll.
  void reload_soon() {
    auto self = shared_from_this();
    auto body = [self]() -> asio::awaitable<void> {
      try {
        co_await self->reload();
      } catch (const std::exception& e) {
        log::warn("organization.suspensions_reload_failed", {{"error", e.what()}});
      }
    };
    asio::co_spawn(executor, std::move(body), asio::detached);
  }

  asio::any_io_executor executor;
  Service& service;
  Suspensions& suspensions;
  PeriodicJob poller;
  std::unique_ptr<db::Listener> listener;
};

SuspensionWatch::SuspensionWatch(asio::any_io_executor executor, Service& service,
                                 Suspensions& suspensions, std::string listen_conninfo,
                                 std::chrono::milliseconds poll)
    : impl_(std::make_shared<Impl>(executor, service, suspensions, poll)) {
  if (listen_conninfo.empty()) return;
  std::weak_ptr<Impl> weak = impl_;
  impl_->listener = std::make_unique<db::Listener>(executor, std::move(listen_conninfo),
                                                   "payrollx_organization_status", [weak] {
                                                     if (auto impl = weak.lock())
                                                       impl->reload_soon();
                                                   });
}

SuspensionWatch::~SuspensionWatch() {
  stop();
}

void SuspensionWatch::start() {
  impl_->reload_soon();
  impl_->poller.start();
  if (impl_->listener) impl_->listener->start();
}

void SuspensionWatch::stop() {
  impl_->poller.stop();
  if (impl_->listener) impl_->listener->stop();
}

}  // namespace payrollx::organization
