#include "modules/compliance/store.hpp"

#include <boost/json/parse.hpp>

namespace payrollx::compliance::store {
namespace {

boost::json::value json_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::parse(*text);
}

boost::json::value text_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return boost::json::value(*text);
}

boost::json::value uuid_or_null(const std::optional<Uuid>& id) {
  if (!id) return nullptr;
  return boost::json::value(id->str());
}

}  // namespace

StoredEntry stored_entry(const db::Row& row) {
  StoredEntry entry;
  entry.id = row.get<Uuid>("id");
  entry.hash = row.get<std::string>("hash");
  auto& link = entry.link;
  link.prev_hash = row.get<std::string>("prev_hash");
  link.organization_id = row.get<Uuid>("organization_id");
  link.seq = row.get<std::int64_t>("seq");
  link.actor_id = row.get<std::optional<Uuid>>("actor_id");
  link.action = row.get<std::string>("action");
  link.entity_type = row.get<std::string>("entity_type");
  link.entity_id = row.get<std::optional<Uuid>>("entity_id");
  link.before = row.get<std::optional<std::string>>("before");
  link.after = row.get<std::optional<std::string>>("after");
  link.request_id = row.get<std::optional<std::string>>("request_id");
  link.created_at = row.get<Timestamp>("created_at");
  return entry;
}

boost::json::object to_json(const StoredEntry& entry) {
  const auto& link = entry.link;
  return {{"id", entry.id.str()},
          {"seq", link.seq},
          {"actorId", uuid_or_null(link.actor_id)},
          {"action", link.action},
          {"entityType", link.entity_type},
          {"entityId", uuid_or_null(link.entity_id)},
          {"before", json_or_null(link.before)},
          {"after", json_or_null(link.after)},
          {"requestId", text_or_null(link.request_id)},
          {"createdAt", to_rfc3339(link.created_at)},
          {"hash", entry.hash}};
}

}  // namespace payrollx::compliance::store
