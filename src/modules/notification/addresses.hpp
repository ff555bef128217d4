#pragma once
// Which peer addresses a webhook may reach: the one SSRF rule, shared by the URL check at
// registration and the connect-time check of every delivery. Private to the notification module.
#include <sys/socket.h>

#include <string>

namespace payrollx::notification {

// True only for a globally routable unicast IPv4 or IPv6 address. False for loopback,
// unspecified, private (10/8, 172.16/12, 192.168/16), CGNAT (100.64/10), link-local
// (169.254/16, fe80::/10), unique-local (fc00::/7), multicast, broadcast, "this network"
// (0/8), reserved (240/4), IETF protocol assignments (192.0.0/24, 2001::/23), benchmarking
// (198.18/15), documentation (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32,
// 3fff::/20), the 6to4 relay anycast (192.88.99/24) and anything outside IPv6 global unicast
// (2000::/3). IPv4-mapped, IPv4-compatible and NAT64 (64:ff9b::/96) addresses are judged as
// the IPv4 address they carry. 6to4 (2002::/16) and Teredo (2001::/32, inside 2001::/23) are
// refused outright: a relay forwards them to an IPv4 address of the sender's choosing, which
// may be private. Any other address family (AF_UNIX, ...) is not public.
bool is_public_address(const sockaddr* address);

// "203.0.113.7" or "2001:db8::1", for error messages; "unknown address" for other families.
std::string address_text(const sockaddr* address);

}  // namespace payrollx::notification
