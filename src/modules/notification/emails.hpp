#pragma once
// The email deliveries of inbox notices: what each email's payload ({to,toName,values}) is made
// of, read from the organisation and the recipients through the Directory. Private to the
// notification module.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace payrollx::db {
class Tx;
}

namespace payrollx::notification {

class Directory;

// What an email of one inbox notice shows.
struct EmailSource {
  Uuid notice_id;  // the email's event
  Uuid user_id;    // its recipient
  std::string event_type;
  boost::json::value data;
  boost::json::object email_only;  // values only the email may show (an invitation's token)
};

// An email delivery of each source whose recipient is an active member of the organisation
// with an address (their names and the organisation's read once for all), in `tx`.
// `created_at`: the notices' time (none: now).
boost::asio::awaitable<void> queue_emails(db::Tx& tx, Directory& directory,
                                          const Uuid& organization_id,
                                          const std::vector<EmailSource>& sources,
                                          const std::optional<Timestamp>& created_at);

}  // namespace payrollx::notification
