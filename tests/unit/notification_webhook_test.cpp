#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "modules/notification/addresses.hpp"
#include "modules/notification/webhook_signature.hpp"
#include "modules/notification/webhook_url.hpp"

using namespace payrollx::notification;

namespace {

// The socket address of a literal IPv4 or IPv6 address.
sockaddr_storage socket_address(const std::string& text) {
  sockaddr_storage storage{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
  } else {
    REQUIRE(inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1);
    v6->sin6_family = AF_INET6;
  }
  return storage;
}

bool is_public(const std::string& text) {
  const sockaddr_storage storage = socket_address(text);
  return is_public_address(reinterpret_cast<const sockaddr*>(&storage));
}

}  // namespace

TEST_CASE("notification webhook: the signature is HMAC-SHA256 of \"<t>.<body>\" in hex") {
  // Expected values from `printf '%s' '<t>.<body>' | openssl dgst -sha256 -hmac '<secret>'`.
  CHECK(webhook_signature("whsec_test_secret", 1700000000,
                          R"({"id":"evt_1","type":"payroll.run.completed"})") ==
        "t=1700000000,v1=cf7bea9133f1bd832356929a9859ef329769feb4e87c47e06b2d693f6448269e");
  CHECK(webhook_signature("k", 0, "") ==
        "t=0,v1=6b4a4b8b3c40f1e8f53a3d36682e5f99f7ad2ac1df1c93dfe336f329167641e7");
  // A key longer than SHA-256's block is hashed first, as HMAC says.
  CHECK(webhook_signature(std::string(100, 'x'), 1700000000, "{}") ==
        "t=1700000000,v1=70cf6623771562c9c1e502d121ca3d5d544af86b936ed8b68a6a0f4ab3368ae2");
}

TEST_CASE("notification webhook: secrets are whsec_ and 32 random bytes in base64url") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string secret = new_webhook_secret();
    REQUIRE(secret.size() == 6 + 43);
    CHECK(secret.starts_with("whsec_"));
    CHECK(secret.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6) ==
          std::string::npos);
    seen.insert(secret);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("notification webhook: public and non-public IPv4 addresses, both sides of each range") {
  const std::pair<const char*, bool> table[] = {
      {"0.0.0.0", false},         {"0.255.255.255", false},   {"1.0.0.0", true},
      {"9.255.255.255", true},    {"10.0.0.0", false},        {"10.255.255.255", false},
      {"11.0.0.0", true},         {"100.63.255.255", true},   {"100.64.0.0", false},
      {"100.127.255.255", false}, {"100.128.0.0", true},      {"126.255.255.255", true},
      {"127.0.0.0", false},       {"127.0.0.1", false},       {"127.255.255.255", false},
      {"128.0.0.0", true},        {"169.253.255.255", true},  {"169.254.0.0", false},
      {"169.254.169.254", false}, {"169.254.255.255", false}, {"169.255.0.0", true},
      {"172.15.255.255", true},   {"172.16.0.0", false},      {"172.31.255.255", false},
      {"172.32.0.0", true},       {"191.255.255.255", true},  {"192.0.0.0", false},
      {"192.0.0.255", false},     {"192.0.1.0", true},        {"192.0.1.255", true},
      {"192.0.2.0", false},       {"192.0.2.255", false},     {"192.0.3.0", true},
      {"192.88.98.255", true},    {"192.88.99.0", false},     {"192.88.99.255", false},
      {"192.88.100.0", true},     {"192.167.255.255", true},  {"192.168.0.0", false},
      {"192.168.255.255", false}, {"192.169.0.0", true},      {"198.17.255.255", true},
      {"198.18.0.0", false},      {"198.19.255.255", false},  {"198.20.0.0", true},
      {"198.51.99.255", true},    {"198.51.100.0", false},    {"198.51.100.255", false},
      {"198.51.101.0", true},     {"203.0.112.255", true},    {"203.0.113.0", false},
      {"203.0.113.255", false},   {"203.0.114.0", true},      {"223.255.255.255", true},
      {"224.0.0.0", false},       {"239.255.255.255", false}, {"240.0.0.0", false},
      {"255.255.255.254", false}, {"255.255.255.255", false}, {"8.8.8.8", true},
      {"93.184.216.34", true},
  };
  for (const auto& [address, expected] : table) {
    INFO(address);
    CHECK(is_public(address) == expected);
  }
}

TEST_CASE("notification webhook: public and non-public IPv6 addresses, both sides of each range") {
  const std::pair<const char*, bool> table[] = {
      {"::", false},
      {"::1", false},
      // IPv4-mapped, IPv4-compatible and NAT64 addresses are their IPv4 address.
      {"::ffff:8.8.8.8", true},
      {"::ffff:127.0.0.1", false},
      {"::ffff:10.1.2.3", false},
      {"::ffff:169.254.169.254", false},
      {"::8.8.8.8", true},
      {"::127.0.0.1", false},
      {"64:ff9b::8.8.8.8", true},
      {"64:ff9b::10.0.0.1", false},
      {"64:ff9b::127.0.0.1", false},
      {"64:ff9b:1::8.8.8.8", false},  // local-use NAT64
      {"100::1", false},              // discard-only
      // Global unicast 2000::/3 and the ranges inside it that are not destinations.
      {"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2000::", true},
      {"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"2001::", false},  // Teredo
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
      {"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2001:200::", true},
      {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"2001:db8::", false},
      {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2001:db9::", true},
      {"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"2002::", false},  // 6to4
      {"2002:7f00:1::", false},
      {"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2003::", true},
      {"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"3fff::", false},
      {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"3fff:1000::", true},
      {"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true},
      {"4000::", false},
      {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"fc00::", false},
      {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"fe80::", false},
      {"fe80::1", false},
      {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"fec0::1", false},
      {"ff02::1", false},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
      {"2606:4700:4700::1111", true},
      {"2a00:1450:4001:80b::200e", true},
  };
  for (const auto& [address, expected] : table) {
    INFO(address);
    CHECK(is_public(address) == expected);
  }
}

TEST_CASE("notification webhook: other address families are not public") {
  sockaddr_un unix_address{};
  unix_address.sun_family = AF_UNIX;
  CHECK_FALSE(is_public_address(reinterpret_cast<const sockaddr*>(&unix_address)));
  CHECK(address_text(reinterpret_cast<const sockaddr*>(&unix_address)) == "unknown address");
  auto v6 = socket_address("2001:db8::1");
  CHECK(address_text(reinterpret_cast<const sockaddr*>(&v6)) == "2001:db8::1");
}

TEST_CASE("notification webhook: which URLs may be registered") {
  CHECK(check_webhook_url("https://93.184.216.34/hook", false) == std::nullopt);
  CHECK(check_webhook_url("https://93.184.216.34:8443/hook?x=1", false) == std::nullopt);
  CHECK(check_webhook_url("HTTPS://[2606:4700:4700::1111]/hook", false) == std::nullopt);

  SECTION("http only when private targets are allowed") {
    CHECK(check_webhook_url("http://93.184.216.34/hook", false) == "must be an https:// URL");
    CHECK(check_webhook_url("http://93.184.216.34/hook", true) == std::nullopt);
    CHECK(check_webhook_url("ftp://93.184.216.34/hook", true));
  }
  SECTION("non-public hosts, however they are written, only when allowed") {
    for (const char* url :
         {"https://127.0.0.1/x", "https://localhost/", "https://[::1]/", "https://10.0.0.1/",
          "https://169.254.169.254/latest/meta-data", "https://[::ffff:127.0.0.1]/",
          "https://2130706433/", "https://0x7f.1/"}) {
      INFO(url);
      const auto problem = check_webhook_url(url, false);
      REQUIRE(problem);
      CHECK_THAT(*problem, Catch::Contains("non-public address"));
      CHECK(check_webhook_url(url, true) == std::nullopt);
    }
  }
  SECTION("credentials, malformed URLs and hosts that do not resolve") {
    CHECK(check_webhook_url("https://user:pass@93.184.216.34/", false) ==
          "must not carry credentials");
    CHECK(check_webhook_url("https://user@93.184.216.34/", true) == "must not carry credentials");
    for (const char* url : {"", "not a url", "/relative/path", "https://exa mple.com/",
                            "https://93.184.216.34/#fragment", "https:///nohost", "https://",
                            "https://127.0.0.%31/", "mailto:someone@example.com"}) {
      INFO(url);
      CHECK(check_webhook_url(url, true));
    }
    // An empty label: glibc refuses the name without asking a DNS server.
    CHECK(check_webhook_url("https://a..b/", true) == "the host a..b does not resolve");
  }
  SECTION("at most 2048 characters") {
    std::string url = "https://93.184.216.34/";
    url += std::string(2048 - url.size(), 'a');
    CHECK(check_webhook_url(url, false) == std::nullopt);
    CHECK(check_webhook_url(url + "a", false) == "must be at most 2048 characters");
  }
}
