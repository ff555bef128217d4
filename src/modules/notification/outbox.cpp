// The dispatcher of this instance (Outbox). A few worker coroutines each claim a small batch of
// due deliveries in one committed statement (FOR UPDATE SKIP LOCKED, so instances never claim
// the same row; the claim pushes next_attempt_at past the send's deadline, a lease), send them
// one by one on a thread pool of their own (libcurl blocks) with no connection or transaction
// held, and record each outcome. A send that succeeded but whose outcome could not be recorded
// (a crash, a lost database) is sent again when its lease runs out: at least once, never lost.
// Failures are retried with exponential backoff and jitter, then FAILED. Before claiming, a worker
// told that fan-out records may be waiting (a commit's NOTIFY, a poll) expands one
// (expansion.hpp); once it found one, the other workers are woken to expand the next ones.
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>

#include "core/backoff.hpp"
#include "core/db/listener.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "modules/notification/expansion.hpp"
#include "modules/notification/mime.hpp"
#include "modules/notification/notification.hpp"
#include "modules/notification/outbox_store.hpp"
#include "modules/notification/smtp.hpp"
#include "modules/notification/templates.hpp"
#include "modules/notification/webhook_client.hpp"
#include "modules/notification/webhook_signature.hpp"

namespace payrollx::notification {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using outbox_store::Channel;
using outbox_store::Claimed;

constexpr int k_workers = 4;
constexpr int k_batch = 16;
// Longer than any send may take (webhooks time out after 10 s, emails after 30 s).
constexpr std::chrono::seconds k_lease{60};
constexpr std::chrono::seconds k_longest_send{30};
constexpr std::chrono::hours k_max_backoff{1};
constexpr std::chrono::seconds k_backlog_every{5};
// How long a worker other than the poller waits when no wake comes (it should not matter).
constexpr std::chrono::seconds k_idle_helper{60};

struct Outcome {
  bool delivered = false;
  std::optional<int> status_code;
  std::string error;
};

std::string_view channel_label(Channel channel) {
  return channel == Channel::email ? "email" : "webhook";
}

// A webhook whose endpoint was deleted since it was queued: failed at once, never retried.
bool endpoint_deleted(const Claimed& delivery) {
  return delivery.channel == Channel::webhook && !(delivery.url && delivery.secret);
}

// The webhook body, {id,type,createdAt,organizationId,data}, from the delivery's columns: every
// attempt of a delivery (and every endpoint's delivery of the event) sends the same bytes.
std::string webhook_body(const Claimed& delivery) {
  return boost::json::serialize(
      boost::json::object{{"id", delivery.event_id.str()},
                          {"type", delivery.event_type},
                          {"createdAt", to_rfc3339(delivery.created_at)},
                          {"organizationId", delivery.organization_id.str()},
                          {"data", boost::json::parse(delivery.payload)}});
}

Outcome send_webhook(const OutboxOptions& options, const Claimed& delivery) {
  if (endpoint_deleted(delivery)) return {.error = "the endpoint was deleted"};
  const auto unix_time =
      std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  WebhookPolicy policy;
  policy.allow_private = options.webhook_allow_private;
  auto body = webhook_body(delivery);
  auto signature = webhook_signature(*delivery.secret, unix_time, body);
  WebhookRequest request{.url = *delivery.url,
                         .body = std::move(body),
                         .signature = std::move(signature),
                         .event_id = delivery.event_id.str(),
                         .event_type = delivery.event_type};
  auto answer = post_webhook(policy, request);
  return {.delivered = answer.delivered(), .status_code = answer.status, .error = answer.error};
}

// The email rendered now, with the organisation's template of the event or the system default.
Rendered render_email(const Claimed& delivery, const boost::json::object& values) {
  std::map<std::string, std::string, std::less<>> texts;
  for (const auto& [key, value] : values) texts[std::string(key)] = value.as_string();
  const Template chosen = delivery.template_subject && delivery.template_body
                              ? Template{*delivery.template_subject, *delivery.template_body}
                              : default_template(delivery.event_type);
  return render(chosen, texts);
}

Outcome send_mail(const OutboxOptions& options, const Claimed& delivery) {
  if (options.smtp_url.empty()) return {.error = "email is not configured (PAYROLLX_SMTP_URL)"};
  auto payload = boost::json::parse(delivery.payload).as_object();
  auto text = [&](std::string_view key) { return std::string(payload.at(key).as_string()); };
  auto rendered = render_email(delivery, payload.at("values").as_object());
  EmailMessage message{.from = options.smtp_from,
                       .to = text("to"),
                       .to_name = text("toName"),
                       .subject = rendered.subject,
                       .text = rendered.text,
                       .html = html_of(rendered)};
  auto mime = mime_message(message, now(), delivery.id.str());
  auto sent = send_email(SmtpSettings{.url = options.smtp_url}, message, mime);
  return {.delivered = sent.delivered, .status_code = std::nullopt, .error = sent.error};
}

}  // namespace

struct Outbox::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor, db::Pool& pool, OutboxOptions options, Metrics* metrics)
      : executor(std::move(executor)), pool(pool), options(std::move(options)), metrics(metrics) {}

  awaitable<void> work(std::shared_ptr<Impl> alive_while_working, int worker);
  awaitable<Outcome> send(const Claimed& delivery);
  awaitable<void> record(const Claimed& delivery, const Outcome& outcome);
  awaitable<void> report_backlog();
  awaitable<void> expand_one();
  // Idle workers look now instead of at their next poll.
  void wake() {
    for (auto& timer : timers) timer->cancel();
  }
  // A commit queued deliveries or fan-out records (NOTIFY).
  void notified() {
    fanouts_maybe = true;
    wake();
  }

  asio::any_io_executor executor;
  db::Pool& pool;
  const OutboxOptions options;
  Metrics* metrics;
  asio::thread_pool senders{static_cast<std::size_t>(k_workers)};
  std::atomic<bool> stopped{false};
  Directory* directory = nullptr;  // email records are left to instances with email on
  // Whether a fan-out record may be waiting: set by a NOTIFY and after a poll, taken by the
  // worker that looks.
  std::atomic<bool> fanouts_maybe{true};
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
  std::chrono::steady_clock::time_point backlog_reported{};
  std::unique_ptr<db::Listener> listener;
};

awaitable<Outcome> Outbox::Impl::send(const Claimed& delivery) {
  // Named before co_spawn (a workaround for GCC 12 bug PR 107288).
  auto blocking = [this, &delivery]() -> awaitable<Outcome> {
    try {
      co_return delivery.channel == Channel::webhook ? send_webhook(options, delivery)
                                                     : send_mail(options, delivery);
    } catch (const std::exception& e) {
      co_return Outcome{.error = e.what()};
    }
  };
  co_return co_await asio::co_spawn(senders.get_executor(), std::move(blocking),
                                    asio::use_awaitable);
}

awaitable<void> Outbox::Impl::record(const Claimed& delivery, const Outcome& outcome) {
  const outbox_store::Attempt attempt{.organization_id = delivery.organization_id,
                                      .id = delivery.id,
                                      .attempts = delivery.attempts,
                                      .status_code = outcome.status_code,
                                      .error = outcome.error};
  const auto age = std::chrono::duration<double>(now() - delivery.created_at).count();
  std::string_view result = "delivered";
  if (outcome.delivered) {
    co_await outbox_store::mark_delivered(pool, attempt);
  } else {
    std::optional<Timestamp> retry_at;
    if (delivery.attempts < options.max_attempts && !endpoint_deleted(delivery))
      retry_at = now() + backoff_with_jitter(options.backoff, delivery.attempts, k_max_backoff);
    result = retry_at ? "retry" : "failed";
    co_await outbox_store::mark_failed(pool, attempt, retry_at);
    log::warn("outbox.delivery_failed", {{"delivery", delivery.id.str()},
                                         {"channel", channel_label(delivery.channel)},
                                         {"attempt", delivery.attempts},
                                         {"final", !retry_at},
                                         {"error", outcome.error}});
  }
  if (metrics) metrics->observe_delivery(channel_label(delivery.channel), result, age);
}

awaitable<void> Outbox::Impl::report_backlog() {
  if (!metrics || std::chrono::steady_clock::now() - backlog_reported < k_backlog_every) co_return;
  backlog_reported = std::chrono::steady_clock::now();
  std::int64_t email = 0, webhook = 0;
  auto counts = co_await outbox_store::backlog(pool);
  for (const auto& counted : counts)
    (counted.channel == Channel::email ? email : webhook) = counted.count;
  metrics->set_outbox_backlog("email", email);
  metrics->set_outbox_backlog("webhook", webhook);
}

awaitable<void> Outbox::Impl::expand_one() {
  if (!fanouts_maybe.exchange(false)) co_return;
  const bool expanded = co_await expand_next(pool, directory);
  if (expanded) notified();  // there may be more, for this worker or the idle ones
}

awaitable<void> Outbox::Impl::work(std::shared_ptr<Impl> /*alive while working*/, int worker) {
  auto timer = std::make_shared<asio::steady_timer>(executor);
  timers.push_back(timer);
  while (!stopped) {
    std::vector<Claimed> batch;
    // Taken before the claim: the lease began no earlier than this.
    const auto claimed_at = std::chrono::steady_clock::now();
    try {
      co_await report_backlog();
      co_await expand_one();
      batch = co_await outbox_store::claim(pool, k_batch, k_lease);
    } catch (const std::exception& e) {
      log::warn("outbox.claim_failed", {{"error", e.what()}});
    }
    if (batch.empty()) {
      // Worker 0 polls; the others wait to be woken (a commit's NOTIFY, or a full batch found
      // by another worker): an idle instance costs one claim a poll, not one a worker. Every
      // claim scans past the due rows of transactions still open, which on a large run's
      // execute are thousands.
      timer->expires_after(worker == 0 ? options.poll : k_idle_helper);
      co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      if (worker == 0) fanouts_maybe = true;  // the poll covers records too (no LISTEN, a crash)
      continue;
    }
    if (batch.size() == static_cast<std::size_t>(k_batch)) wake();  // there may be more
    // The batch was claimed under one lease, but its sends take turns: once too little of the
    // lease is left for another send, each delivery's lease is renewed just before it is sent,
    // so a delivery is never sent while another worker holds it (a lease ran out meanwhile:
    // someone else has it, skip it). Before that, no renewal: each is an update of the row, and
    // the dead row versions they leave are what every claim's index scan has to step over. A
    // delivery left when stopping, or when an outcome cannot be recorded (the database is
    // away), keeps its lease and is sent after it runs out.
    for (const auto& delivery : batch) {
      if (stopped) break;
      try {
        if (std::chrono::steady_clock::now() - claimed_at > k_lease - k_longest_send) {
          const bool ours = co_await outbox_store::renew(pool, delivery.organization_id,
                                                         delivery.id, delivery.attempts, k_lease);
          if (!ours) continue;
        }
        auto outcome = co_await send(delivery);
        co_await record(delivery, outcome);
      } catch (const std::exception& e) {
        log::warn("outbox.record_failed", {{"delivery", delivery.id.str()}, {"error", e.what()}});
        break;
      }
    }
  }
}

Outbox::Outbox(asio::any_io_executor executor, db::Pool& pool, OutboxOptions options,
               Metrics* metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), pool, std::move(options), metrics)) {}

Outbox::~Outbox() {
  stop();
  impl_->senders.join();
}

void Outbox::enable_email(Directory& directory) {
  impl_->directory = &directory;
}

void Outbox::start() {
  for (int i = 0; i < k_workers; ++i)
    asio::co_spawn(impl_->executor, impl_->work(impl_, i), asio::detached);
  if (!impl_->options.listen_conninfo.empty()) {
    std::weak_ptr<Impl> weak = impl_;
    impl_->listener = std::make_unique<db::Listener>(
        impl_->executor, impl_->options.listen_conninfo, "payrollx_outbox", [weak] {
          if (auto impl = weak.lock()) impl->notified();
        });
    impl_->listener->start();
  }
}

void Outbox::stop() {
  if (impl_->listener) impl_->listener->stop();
  asio::post(impl_->executor, [impl = impl_] {
    impl->stopped = true;
    for (auto& timer : impl->timers) timer->cancel();
  });
}

}  // namespace payrollx::notification
