#include <catch2/catch.hpp>

#include "core/http/client_address.hpp"

using namespace payrollx::http;

namespace {

Request forwarded(std::vector<std::string> values) {
  Request request;
  for (auto& value : values) request.headers.emplace_back("x-forwarded-for", std::move(value));
  return request;
}

TrustedProxies proxies(std::string_view list) {
  auto parsed = TrustedProxies::parse(list);
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("client address: trusted proxy lists parse addresses and CIDRs, and nothing else") {
  CHECK(proxies("").empty());
  auto list = proxies(" 10.0.0.0/8, 192.168.1.7 ,2001:db8::/32, ::1 ");
  CHECK(list.contains("10.200.3.4"));
  CHECK(list.contains("192.168.1.7"));
  CHECK_FALSE(list.contains("192.168.1.8"));
  CHECK(list.contains("2001:db8:ffff::1"));
  CHECK_FALSE(list.contains("2001:db9::1"));
  CHECK(list.contains("::1"));
  CHECK(list.contains("::ffff:10.1.2.3"));  // IPv4-mapped: the IPv4 address it is
  CHECK_FALSE(list.contains("not an address"));
  CHECK(proxies("172.16.0.0/12").contains("172.31.255.255"));
  CHECK_FALSE(proxies("172.16.0.0/12").contains("172.32.0.0"));
  CHECK(proxies("0.0.0.0/0").contains("8.8.8.8"));

  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "proxy.internal",
                   "10.0.0.1,,10.0.0.2", "10.0.0.1,", "1.2.3.4/8/8", "256.0.0.1"}) {
    INFO(bad);
    CHECK_FALSE(TrustedProxies::parse(bad));
  }
}

TEST_CASE("client address: the peer unless it is a trusted proxy") {
  const auto none = proxies("");
  // An untrusted peer's X-Forwarded-For is anyone's invention: ignored.
  CHECK(client_address("198.51.100.9", forwarded({"203.0.113.1"}), none) == "198.51.100.9");
  const auto lb = proxies("10.0.0.0/8");
  CHECK(client_address("198.51.100.9", forwarded({"203.0.113.1"}), lb) == "198.51.100.9");
  CHECK(client_address("10.0.0.2", forwarded({}), lb) == "10.0.0.2");
}

TEST_CASE("client address: the right-most X-Forwarded-For entry that is not a trusted proxy") {
  const auto lb = proxies("10.0.0.0/8");
  // What the client wrote itself (left) cannot move its own address (right).
  CHECK(client_address("10.0.0.2", forwarded({"1.1.1.1, 203.0.113.5"}), lb) == "203.0.113.5");
  // Chains of trusted proxies are walked through, over several headers in order.
  CHECK(client_address("10.0.0.2", forwarded({"203.0.113.5, 10.1.1.1", "10.2.2.2"}), lb) ==
        "203.0.113.5");
  // Spacing and IPv6 are normalised; IPv4-mapped addresses are IPv4.
  CHECK(client_address("10.0.0.2", forwarded({"  2001:DB8::0:1 "}), lb) == "2001:db8::1");
  CHECK(client_address("10.0.0.2", forwarded({"::ffff:203.0.113.8"}), lb) == "203.0.113.8");
  // Garbage stops the walk at the last trusted hop.
  CHECK(client_address("10.0.0.2", forwarded({"203.0.113.5, garbage, 10.3.3.3"}), lb) ==
        "10.3.3.3");
  CHECK(client_address("10.0.0.2", forwarded({"unknown"}), lb) == "10.0.0.2");
  // Only trusted hops: the farthest one is the client.
  CHECK(client_address("10.0.0.2", forwarded({"10.9.9.9, 10.8.8.8"}), lb) == "10.9.9.9");
}

TEST_CASE("client address: IPv6 clients are throttled by their /64, IPv4 by address") {
  CHECK(throttle_key("203.0.113.5") == "203.0.113.5");
  CHECK(throttle_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
  CHECK(throttle_key("2001:db8:1:2::ffff") == throttle_key("2001:db8:1:2:aaaa::1"));
  CHECK(throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1"));
  CHECK(throttle_key("") == "unknown");
}
