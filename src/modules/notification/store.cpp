#include "modules/notification/store.hpp"

namespace payrollx::notification::store {

StoredNotice stored_notice(const db::Row& row) {
  return {.id = row.get<Uuid>("id"),
          .event_type = row.get<std::string>("event_type"),
          .title = row.get<std::string>("title"),
          .body = row.get<std::string>("body"),
          .data = row.get<boost::json::value>("data"),
          .read_at = row.get<std::optional<Timestamp>>("read_at"),
          .created_at = row.get<Timestamp>("created_at")};
}

boost::json::object to_json(const StoredNotice& notice) {
  return {{"id", notice.id.str()},
          {"eventType", notice.event_type},
          {"title", notice.title},
          {"body", notice.body},
          {"data", notice.data},
          {"readAt", notice.read_at ? boost::json::value(to_rfc3339(*notice.read_at)) : nullptr},
          {"createdAt", to_rfc3339(notice.created_at)}};
}

}  // namespace payrollx::notification::store
