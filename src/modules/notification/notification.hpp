#pragma once
// notification — a leaf: other modules call it, it calls none. The in-app inbox, and the outbox
// (docs/design.md): email and webhook deliveries written in the caller's transaction, so
// nothing is sent for work that rolled back and nothing committed is lost, then sent by the
// dispatcher of every instance with retries. Templates render the emails.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/uuid.hpp"

namespace payrollx {
class Metrics;
namespace db {
class Pool;
class Tx;
}  // namespace db
namespace http {
class Router;
}
}  // namespace payrollx

namespace payrollx::notification {

// A notice to one user: in their inbox, and by email when SMTP is configured.
struct Notice {
  Uuid organization_id;
  Uuid user_id;            // the recipient
  std::string event_type;  // one of the eleven event types (templates.hpp), e.g. "user.invited"
  std::string title;
  std::string body;
  boost::json::value data;  // event details for clients (ids, amounts); never secrets
  // Values only the email may show (the invitation token): never stored in the inbox.
  boost::json::object email_only;
};

// An event of the organisation, once per occurrence, for its webhook endpoints.
struct Event {
  Uuid organization_id;
  std::string event_type;
  boost::json::object data;  // never secrets
};

// What an email needs of its recipient and organisation. The composition root implements it
// over the auth and organization modules: notification calls no module.
struct Person {
  std::string email;
  std::string first_name;
  std::string last_name;
};
class Directory {
 public:
  virtual ~Directory() = default;
  // The users among `user_ids` that belong to the organisation (in the caller's transaction).
  virtual boost::asio::awaitable<std::map<Uuid, Person>> people(
      db::Tx& tx, const Uuid& organization_id, const std::vector<Uuid>& user_ids) = 0;
  virtual boost::asio::awaitable<std::string> organization_name(db::Tx& tx,
                                                                const Uuid& organization_id) = 0;
};

struct OutboxOptions {
  std::string smtp_url;  // empty: no email
  std::string smtp_from = "payrollx@localhost";
  std::chrono::milliseconds backoff{30000};  // first retry delay, doubling, capped at an hour
  int max_attempts = 8;
  bool webhook_allow_private = false;    // http:// and non-public webhook targets (tests)
  std::chrono::milliseconds poll{1000};  // how often an idle dispatcher looks for due work
  // A connection string to LISTEN with for new deliveries (a commit wakes every instance's
  // dispatcher at once); empty: polling alone.
  std::string listen_conninfo;
};

class Inbox {
 public:
  // Every notice also goes out by email, rendered with its organisation's template.
  void enable_email(Directory& directory) { directory_ = &directory; }

  // Written in the caller's transaction: a notice exists only if its cause committed. Its email
  // is a delivery row, or for many notices a fan-out record the dispatchers expand after the
  // commit (enqueue.cpp).
  boost::asio::awaitable<void> enqueue(db::Tx& tx, Notice notice);
  // A bounded number of statements for any number of notices.
  boost::asio::awaitable<void> enqueue_many(db::Tx& tx, std::vector<Notice> notices);

  // A delivery per endpoint of the organisation that takes the event, in the caller's
  // transaction.
  boost::asio::awaitable<void> publish(db::Tx& tx, Event event);
  boost::asio::awaitable<void> publish_many(db::Tx& tx, std::vector<Event> events);

  // The organisation's deliveries wait (none is claimed) until released, in the caller's
  // transaction: a suspension holds them, a reactivation releases them.
  boost::asio::awaitable<void> hold_deliveries(db::Tx& tx, const Uuid& organization_id);
  boost::asio::awaitable<void> release_deliveries(db::Tx& tx, const Uuid& organization_id);

 private:
  Directory* directory_ = nullptr;
};

// The dispatcher of this instance: expands fan-out records into their deliveries, claims due
// deliveries (FOR UPDATE SKIP LOCKED), sends them with no connection or transaction held, records
// the outcome; retries with exponential backoff and jitter, then FAILED.
class Outbox {
 public:
  Outbox(boost::asio::any_io_executor executor, db::Pool& pool, OutboxOptions options,
         Metrics* metrics);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Email fan-out records are expanded here too: their recipients are read through the
  // directory (before start).
  void enable_email(Directory& directory);

  void start();
  void stop();  // no new claim; a send in flight finishes on its worker thread

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// The inbox, webhook and template routes; their handlers keep `pool` and `options` by
// reference, so both must outlive the router.
void register_routes(http::Router& router, db::Pool& pool, const OutboxOptions& options);

}  // namespace payrollx::notification
