#include "core/http/request_head.hpp"

#include <boost/url/parse.hpp>

#include "core/utf8.hpp"

namespace payrollx::http {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  return out;
}

}  // namespace

std::optional<Request> to_request(const boost::beast::http::request_header<>& header) {
  auto url = boost::urls::parse_origin_form(std::string_view(header.target()));
  if (!url) return std::nullopt;
  Request request;
  request.method = std::string(header.method_string());
  request.target = std::string(header.target());
  request.path = url->path();
  boost::urls::encoding_opts form_encoding;
  form_encoding.space_as_plus = true;
  for (auto param : url->params(form_encoding))
    request.query.emplace_back(std::move(param.key), std::move(param.value));
  // What percent escapes spell goes on to filters and so to PostgreSQL, which takes UTF-8 text
  // only: left to it, an invalid sequence would fail the query, a 500 for the client's mistake.
  if (!is_valid_utf8(request.path)) return std::nullopt;
  for (const auto& [key, value] : request.query)
    if (!is_valid_utf8(key) || !is_valid_utf8(value)) return std::nullopt;
  for (const auto& field : header)
    request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  return request;
}

}  // namespace payrollx::http
