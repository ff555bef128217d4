#include "core/http/message.hpp"

#include <boost/json/serialize.hpp>

namespace payrollx::http {

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return value;
  return std::nullopt;
}

Response Response::json(int status, const boost::json::value& value) {
  return Response{status, "application/json", boost::json::serialize(value), {}};
}

Response Response::no_content() {
  return Response{204, "", "", {}};
}

Response Response::text(int status, std::string content_type, std::string body) {
  return Response{status, std::move(content_type), std::move(body), {}};
}

}  // namespace payrollx::http
