#pragma once
// notification — the in-app inbox (this leaf); templates, webhooks and email come later.
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/uuid.hpp"

namespace payrollx {
namespace db {
class Pool;
class Tx;
}  // namespace db
namespace http {
class Router;
}
}  // namespace payrollx

namespace payrollx::notification {

struct Notice {
  Uuid organization_id;
  Uuid user_id;            // the recipient
  std::string event_type;  // one of API.md's events, e.g. "user.invited"
  std::string title;
  std::string body;
  boost::json::value data;  // event details for clients (ids, amounts); never secrets
};

class Inbox {
 public:
  // Written in the caller's transaction: a notice exists only if its cause committed.
  boost::asio::awaitable<void> enqueue(db::Tx& tx, Notice notice);
  // One statement for any number of notices.
  boost::asio::awaitable<void> enqueue_many(db::Tx& tx, std::vector<Notice> notices);
};

void register_routes(http::Router& router, db::Pool& pool);

}  // namespace payrollx::notification
