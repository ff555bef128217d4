#pragma once
// Who the client of a request is, behind the trusted proxies of PAYROLLX_TRUSTED_PROXIES (whose
// X-Forwarded-For entry names the client for rate limits and logs), and the key its throttling
// counts under.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/message.hpp"

namespace payrollx::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // A comma-separated list of addresses and CIDRs ("10.0.0.0/8, 2001:db8::/32, 127.0.0.1");
  // nullopt when an entry is neither. Empty: no proxy is trusted.
  static std::optional<TrustedProxies> parse(std::string_view list);

  bool empty() const { return networks_.empty(); }
  bool contains(std::string_view address) const;

 private:
  struct Network {
    std::string bytes;    // 4 or 16 bytes of the network address
    unsigned prefix = 0;  // leading bits that must match
  };
  std::vector<Network> networks_;
};

// The client of a request that came from `peer`: the peer itself, unless it is a trusted proxy;
// then the right-most X-Forwarded-For entry (over every such header, in order) that is not a
// trusted proxy. The header is never read when the peer is not trusted, since anyone can send
// it. An entry that is not an address stops the walk at the last trusted hop: nothing left of
// it can be believed. IPv4-mapped IPv6 addresses are written as IPv4.
std::string client_address(std::string_view peer, const Request& request,
                           const TrustedProxies& proxies);

// The key a client is throttled under: an IPv4 address itself, an IPv6 address its /64 (one
// subscriber usually holds a whole /64, so single addresses would be free for the taking); an
// address that could not be read is "unknown".
std::string throttle_key(std::string_view address);

}  // namespace payrollx::http
