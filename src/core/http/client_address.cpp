#include "core/http/client_address.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace payrollx::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// An address, with IPv4-mapped IPv6 (::ffff:10.0.0.1, as a dual-stack socket reports IPv4
// peers) as the IPv4 address it is.
std::optional<ip::address> address_of(std::string_view text) {
  boost::system::error_code ec;
  auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

std::string bytes_of(const ip::address& address) {
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    return {bytes.begin(), bytes.end()};
  }
  auto bytes = address.to_v6().to_bytes();
  return {bytes.begin(), bytes.end()};
}

bool same_prefix(std::string_view a, std::string_view b, unsigned bits) {
  if (a.size() != b.size()) return false;
  std::size_t whole = bits / 8;
  if (a.substr(0, whole) != b.substr(0, whole)) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (static_cast<unsigned char>(a[whole]) & mask) ==
         (static_cast<unsigned char>(b[whole]) & mask);
}

// The entries of every X-Forwarded-For header, left to right.
std::vector<std::string_view> forwarded_for(const Request& request) {
  std::vector<std::string_view> entries;
  for (const auto& [name, value] : request.headers) {
    if (name != "x-forwarded-for") continue;
    std::string_view rest = value;
    for (;;) {
      auto comma = rest.find(',');
      entries.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return entries;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies proxies;
  for (;;) {
    auto comma = list.find(',');
    auto entry = trim(list.substr(0, comma));
    if (!entry.empty()) {
      auto slash = entry.find('/');
      auto address = address_of(entry.substr(0, slash));
      if (!address) return std::nullopt;
      const unsigned width = address->is_v4() ? 32 : 128;
      unsigned prefix = width;
      if (slash != std::string_view::npos) {
        auto digits = entry.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
            prefix > width)
          return std::nullopt;
      }
      proxies.networks_.push_back({bytes_of(*address), prefix});
    } else if (comma != std::string_view::npos || !proxies.networks_.empty()) {
      return std::nullopt;  // an empty entry between commas is a typo, not "no proxy"
    }
    if (comma == std::string_view::npos) return proxies;
    list.remove_prefix(comma + 1);
  }
}

bool TrustedProxies::contains(std::string_view address) const {
  if (networks_.empty()) return false;
  auto parsed = address_of(address);
  if (!parsed) return false;
  auto bytes = bytes_of(*parsed);
  for (const auto& network : networks_)
    if (same_prefix(bytes, network.bytes, network.prefix)) return true;
  return false;
}

std::string client_address(std::string_view peer, const Request& request,
                           const TrustedProxies& proxies) {
  if (!proxies.contains(peer)) return std::string(peer);
  std::string_view client = peer;
  auto entries = forwarded_for(request);
  for (auto entry = entries.rbegin(); entry != entries.rend(); ++entry) {
    auto address = address_of(*entry);
    if (!address) break;
    auto text = address->to_string();
    if (!proxies.contains(text)) return text;
    client = *entry;
  }
  if (auto address = address_of(client)) return address->to_string();
  return std::string(client);
}

std::string throttle_key(std::string_view address) {
  // A peer whose address could not be read: one client, not an empty key.
  if (address.empty()) return "unknown";
  auto parsed = address_of(address);
  if (!parsed || parsed->is_v4()) return std::string(address);
  auto bytes = parsed->to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return ip::address_v6(bytes).to_string() + "/64";
}

}  // namespace payrollx::http
