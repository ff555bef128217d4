#pragma once
// The expander of fan-out records (sql/notification/0007_fanouts.sql): a record becomes its
// deliveries in a transaction of its own, which also deletes it, so a record is expanded exactly
// once (a delivery's id, made of its event and target, refuses doubles besides), and a crash before
// or during the expansion leaves the record for the next dispatcher. Private to the notification
// module.
#include <boost/asio/awaitable.hpp>

#include "core/uuid.hpp"

namespace payrollx::db {
class Pool;
}

namespace payrollx::notification {

class Directory;

// Expands the oldest record that no other transaction holds; false when there is none. Email
// records only with a directory (where email is on).
boost::asio::awaitable<bool> expand_next(db::Pool& pool, Directory* directory);

// Expands every webhook record of the organisation, waiting for those another instance is
// expanding: a reader of the organisation's deliveries then sees all of them.
boost::asio::awaitable<void> expand_webhooks_of(db::Pool& pool, const Uuid& organization_id);

}  // namespace payrollx::notification
