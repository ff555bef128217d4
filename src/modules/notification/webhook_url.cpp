#include "modules/notification/webhook_url.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <boost/url/parse.hpp>
#include <memory>

#include "modules/notification/addresses.hpp"

namespace payrollx::notification {
namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using Addresses = std::unique_ptr<addrinfo, AddrinfoDeleter>;

// Every address of `host` (IPv4 and IPv6), or null when it does not resolve.
Addresses resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
  addrinfo* list = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return nullptr;
  return Addresses(list);
}

std::optional<std::string> check_addresses(const std::string& host, bool allow_private) {
  const Addresses addresses = resolve(host);
  if (!addresses) return "the host " + host + " does not resolve";
  if (allow_private) return std::nullopt;
  for (const addrinfo* entry = addresses.get(); entry != nullptr; entry = entry->ai_next)
    if (!is_public_address(entry->ai_addr))
      return "the host " + host + " resolves to a non-public address (" +
             address_text(entry->ai_addr) + ")";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_webhook_url(std::string_view url, bool allow_private) {
  if (url.size() > k_max_url_length)
    return fmt::format("must be at most {} characters", k_max_url_length);
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return "must be an absolute URL without a fragment";
  const bool https = parsed->scheme_id() == boost::urls::scheme::https;
  const bool http = parsed->scheme_id() == boost::urls::scheme::http;
  if (!https && !(http && allow_private))
    return allow_private ? "must be an https:// or http:// URL" : "must be an https:// URL";
  if (parsed->has_userinfo()) return "must not carry credentials";
  const auto type = parsed->host_type();
  if (type != boost::urls::host_type::name && type != boost::urls::host_type::ipv4 &&
      type != boost::urls::host_type::ipv6)
    return "must have a host";
  // libcurl does not decode a percent-encoded host the way Boost.URL does: refuse what the two
  // would read differently.
  if (parsed->encoded_host_address().find('%') != boost::core::string_view::npos)
    return "must not percent-encode the host";
  if (parsed->host_address().empty()) return "must have a host";
  return check_addresses(parsed->host_address(), allow_private);
}

}  // namespace payrollx::notification
