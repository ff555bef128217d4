#include "modules/notification/addresses.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace payrollx::notification {
namespace {

// A prefix (1 to 64 bits long) over a host-order value of 32 bits (IPv4) or of 64 (the upper
// half of an IPv6 address): every IPv6 range the rule names fits in the upper half, the /96
// ones aside, which embedded_v4 handles.
template <class Bits>
struct Prefix {
  Bits base;
  int length;
  bool contains(Bits value) const {
    constexpr int width = sizeof(Bits) * 8;
    const auto mask = static_cast<Bits>(~Bits{0} << (width - length));
    return (value & mask) == base;
  }
};

constexpr std::array<Prefix<std::uint32_t>, 15> k_not_public_v4{{
    {0x00000000, 8},   // "this network", 0.0.0.0 among it
    {0x0A000000, 8},   // private
    {0x64400000, 10},  // carrier-grade NAT
    {0x7F000000, 8},   // loopback
    {0xA9FE0000, 16},  // link-local (cloud metadata services live here)
    {0xAC100000, 12},  // private
    {0xC0000000, 24},  // IETF protocol assignments
    {0xC0000200, 24},  // documentation (TEST-NET-1)
    {0xC0586300, 24},  // 6to4 relay anycast
    {0xC0A80000, 16},  // private
    {0xC6120000, 15},  // benchmarking
    {0xC6336400, 24},  // documentation (TEST-NET-2)
    {0xCB007100, 24},  // documentation (TEST-NET-3)
    {0xE0000000, 4},   // multicast
    {0xF0000000, 4},   // reserved, the broadcast address among it
}};

constexpr Prefix<std::uint64_t> k_global_unicast_v6{0x2000000000000000, 3};

// Inside global unicast, what is still not a destination of ours.
constexpr std::array<Prefix<std::uint64_t>, 4> k_not_public_v6{{
    {0x2001000000000000, 23},  // IETF protocol assignments, Teredo among them
    {0x20010DB800000000, 32},  // documentation
    {0x2002000000000000, 16},  // 6to4: a relay picks the IPv4 destination from the address
    {0x3FFF000000000000, 20},  // documentation
}};

bool is_public_v4(std::uint32_t address) {
  return std::none_of(k_not_public_v4.begin(), k_not_public_v4.end(),
                      [&](const auto& range) { return range.contains(address); });
}

std::uint32_t read_u32(const std::uint8_t* bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
         std::uint32_t{bytes[2]} << 8 | std::uint32_t{bytes[3]};
}

// The IPv4 address an IPv6 address stands for, when the kernel or a NAT64 gateway would carry
// the connection to it: IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96, which makes
// :: and ::1 the "this network" 0.0.0.0 and 0.0.0.1) and NAT64 (64:ff9b::/96).
std::optional<std::uint32_t> embedded_v4(const std::uint8_t* bytes) {
  constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  constexpr std::array<std::uint8_t, 12> compatible{};
  constexpr std::array<std::uint8_t, 12> nat64{0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const auto& prefix : {mapped, compatible, nat64})
    if (std::equal(prefix.begin(), prefix.end(), bytes)) return read_u32(bytes + 12);
  return std::nullopt;
}

bool is_public_v6(const std::uint8_t* bytes) {
  if (auto v4 = embedded_v4(bytes)) return is_public_v4(*v4);
  const std::uint64_t upper = std::uint64_t{read_u32(bytes)} << 32 | read_u32(bytes + 4);
  if (!k_global_unicast_v6.contains(upper)) return false;
  return std::none_of(k_not_public_v6.begin(), k_not_public_v6.end(),
                      [&](const auto& range) { return range.contains(upper); });
}

}  // namespace

bool is_public_address(const sockaddr* address) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return is_public_v4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return is_public_v6(v6->sin6_addr.s6_addr);
  }
  return false;
}

std::string address_text(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* bytes = nullptr;
  if (address != nullptr && address->sa_family == AF_INET)
    bytes = &reinterpret_cast<const sockaddr_in*>(address)->sin_addr;
  else if (address != nullptr && address->sa_family == AF_INET6)
    bytes = &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  if (bytes == nullptr || inet_ntop(address->sa_family, bytes, text, sizeof text) == nullptr)
    return "unknown address";
  return text;
}

}  // namespace payrollx::notification
