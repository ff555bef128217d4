#include "core/http/context.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/error.hpp"
#include "core/json.hpp"

namespace payrollx::http {
namespace {

std::string_view trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// "application/json", optionally with parameters; a charset, when given, must be UTF-8.
bool is_json_media_type(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semicolon)), "application/json")) return false;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    auto parameter = trim(content_type.substr(0, semicolon));
    auto equals = parameter.find('=');
    if (equals == std::string_view::npos) continue;
    auto value = trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (iequals(trim(parameter.substr(0, equals)), "charset") && !iequals(value, "utf-8"))
      return false;
  }
  return true;
}

}  // namespace

RequestContext::RequestContext(const Request& request, std::string request_id,
                               std::string client_address)
    : request_(request),
      request_id_(std::move(request_id)),
      client_address_(std::move(client_address)),
      started_(std::chrono::steady_clock::now()) {}

const Principal& RequestContext::user() const {
  if (!principal_) throw unauthorized();
  return *principal_;
}

void RequestContext::set_route(const Route* route,
                               std::vector<std::pair<std::string, std::string>> params) {
  route_ = route;
  params_ = std::move(params);
}

std::string_view RequestContext::param(std::string_view name) const {
  for (const auto& [key, value] : params_)
    if (key == name) return value;
  // Asking for a parameter the route's pattern does not have is a bug in the handler.
  throw std::logic_error(fmt::format("the route has no path parameter '{}'", name));
}

Uuid RequestContext::id_param(std::string_view name) const {
  auto id = Uuid::parse(param(name));
  if (!id) throw validation_failed(std::string(name), "must be a UUID");
  return *id;
}

boost::json::object RequestContext::json_body() const {
  auto content_type = request_.header("content-type");
  if (!content_type || !is_json_media_type(*content_type))
    throw unsupported_media_type("The body must be JSON (Content-Type: application/json).");
  return json::parse_object(request_.body);
}

boost::asio::awaitable<void> RequestContext::confirm_standing(db::Tx& tx) const {
  if (!standing_check_)
    throw std::logic_error(
        "a money route ran without a standing check (Dispatcher::set_standing_check)");
  co_await (*standing_check_)(tx, user());
}

}  // namespace payrollx::http
