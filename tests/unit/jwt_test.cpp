#include "core/auth/jwt.hpp"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "core/base64url.hpp"

using namespace payrollx;
using namespace std::chrono_literals;

namespace {

const std::string k_secret = "unit-test-secret-that-is-long-enough-1234";

Principal sample_principal() {
  Principal p;
  p.user_id = Uuid::random();
  p.organization_id = Uuid::random();
  p.role = Role::finance_manager;
  p.session_id = Uuid::random();
  return p;
}

struct Parts {
  std::string header, payload, signature;
};

Parts split(const std::string& token) {
  auto a = token.find('.');
  auto b = token.find('.', a + 1);
  return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

// HS256 with the test secret, as an attacker who knew the key would compute it.
std::string sign(const std::string& signing_input) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(k_secret.data()),
                              k_secret.size());
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return base64url::encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string join(const Parts& p) {
  return p.header + "." + p.payload + "." + p.signature;
}

boost::json::object decode_segment(const std::string& segment) {
  return boost::json::parse(*base64url::decode(segment)).as_object();
}

std::string encode_segment(const boost::json::object& object) {
  return base64url::encode(boost::json::serialize(object));
}

}  // namespace

TEST_CASE("jwt: an issued token verifies to the same principal") {
  TokenSigner signer(k_secret, 900s);
  auto principal = sample_principal();
  auto t0 = now();
  auto token = signer.issue(principal, t0);

  auto verified = signer.verify(token, t0 + 899s);
  REQUIRE(verified);
  CHECK(verified->user_id == principal.user_id);
  CHECK(verified->organization_id == principal.organization_id);
  CHECK(verified->role == Role::finance_manager);
  CHECK(verified->session_id == principal.session_id);
  CHECK(Uuid::parse(verified->token_id));

  auto parts = split(token);
  auto header = decode_segment(parts.header);
  CHECK(header.at("alg") == "HS256");
  CHECK(header.at("typ") == "JWT");
  auto claims = decode_segment(parts.payload);
  CHECK(claims.at("sub").as_string() == principal.user_id.str());
  CHECK(claims.at("role") == "FINANCE_MANAGER");
  CHECK(claims.at("exp").as_int64() - claims.at("iat").as_int64() == 900);
  CHECK(parts.signature.find('=') == std::string::npos);  // unpadded base64url

  // Every token has its own id.
  CHECK(signer.verify(signer.issue(principal, t0), t0)->token_id != verified->token_id);
}

TEST_CASE("jwt: a principal without organisation or session omits those claims") {
  TokenSigner signer(k_secret, 60s);
  Principal admin;
  admin.user_id = Uuid::random();
  admin.role = Role::super_admin;
  auto token = signer.issue(admin, now());
  auto claims = decode_segment(split(token).payload);
  CHECK_FALSE(claims.contains("org"));
  CHECK_FALSE(claims.contains("sid"));
  auto verified = signer.verify(token, now());
  REQUIRE(verified);
  CHECK_FALSE(verified->organization_id);
  CHECK(verified->role == Role::super_admin);
}

TEST_CASE("jwt: an expired token is refused") {
  TokenSigner signer(k_secret, 900s);
  auto t0 = now();
  auto token = signer.issue(sample_principal(), t0);
  CHECK(signer.verify(token, t0 + 900s) == std::nullopt);
  CHECK(signer.verify(token, t0 + 3600s) == std::nullopt);
}

TEST_CASE("jwt: a tampered payload or signature is refused") {
  TokenSigner signer(k_secret, 900s);
  auto t0 = now();
  auto token = signer.issue(sample_principal(), t0);
  auto parts = split(token);

  auto claims = decode_segment(parts.payload);
  claims["role"] = "ORG_ADMIN";
  auto forged = parts;
  forged.payload = encode_segment(claims);
  CHECK(signer.verify(join(forged), t0) == std::nullopt);

  auto bad_signature = parts;
  bad_signature.signature[5] = bad_signature.signature[5] == 'A' ? 'B' : 'A';
  CHECK(signer.verify(join(bad_signature), t0) == std::nullopt);

  auto short_signature = parts;
  short_signature.signature.resize(10);
  CHECK(signer.verify(join(short_signature), t0) == std::nullopt);
}

TEST_CASE("jwt: a signature respelled with a byte outside base64url is refused") {
  TokenSigner signer(k_secret, 900s);
  auto t0 = now();
  // About every other signature has a '_', the character libsodium reads bytes above 0x7F as.
  std::string token;
  std::size_t underscore = std::string::npos;
  for (int i = 0; i < 1000 && underscore == std::string::npos; ++i) {
    token = signer.issue(sample_principal(), t0);
    underscore = token.find('_', token.rfind('.'));
  }
  REQUIRE(underscore != std::string::npos);
  auto respelled = token;
  respelled[underscore] = '\xDF';
  CHECK(signer.verify(respelled, t0) == std::nullopt);
  CHECK(signer.verify(token, t0));
}

TEST_CASE("jwt: a token verified before is still checked for expiry, signer and every byte") {
  TokenSigner signer(k_secret, 900s);
  TokenSigner other("another-secret-that-is-also-long-enough-5678", 900s);
  auto t0 = now();
  auto principal = sample_principal();
  auto token = signer.issue(principal, t0);
  auto parts = split(token);
  REQUIRE(signer.verify(token, t0).has_value());  // now remembered by this thread

  auto again = signer.verify(token, t0 + 60s);
  REQUIRE(again.has_value());
  CHECK(again->user_id == principal.user_id);
  CHECK(again->role == principal.role);
  CHECK(signer.verify(token, t0 + 900s) == std::nullopt);
  CHECK(other.verify(token, t0) == std::nullopt);

  auto bad_signature = parts;
  bad_signature.signature[5] = bad_signature.signature[5] == 'A' ? 'B' : 'A';
  CHECK(signer.verify(join(bad_signature), t0) == std::nullopt);
  // The cache finds a slot by the signature: the remembered token's signature on other claims
  // of the same length lands in the same slot, and is refused.
  auto claims = decode_segment(parts.payload);
  claims["role"] = "ORG_ADMIN______";  // as long as FINANCE_MANAGER
  auto forged = parts;
  forged.payload = encode_segment(claims);
  REQUIRE(forged.payload.size() == parts.payload.size());
  CHECK(signer.verify(join(forged), t0) == std::nullopt);
  auto one_byte = parts;
  one_byte.payload[one_byte.payload.size() / 2] ^= 0x01;
  CHECK(signer.verify(join(one_byte), t0) == std::nullopt);
  CHECK(signer.verify(token + "x", t0) == std::nullopt);
  CHECK(signer.verify(token.substr(0, token.size() - 1), t0) == std::nullopt);
}

TEST_CASE("jwt: alg none and other algorithms are refused") {
  TokenSigner signer(k_secret, 900s);
  auto t0 = now();
  auto parts = split(signer.issue(sample_principal(), t0));

  auto none = parts;
  none.header = encode_segment({{"alg", "none"}, {"typ", "JWT"}});
  none.signature = "";
  CHECK(signer.verify(join(none), t0) == std::nullopt);

  // Even correctly signed with the key, a header naming another algorithm is refused.
  for (auto alg : {"none", "HS512", "RS256"}) {
    auto other_alg = parts;
    other_alg.header = encode_segment({{"alg", alg}, {"typ", "JWT"}});
    other_alg.signature = sign(other_alg.header + "." + other_alg.payload);
    CHECK(signer.verify(join(other_alg), t0) == std::nullopt);
  }
  // The control: the same re-signing with the right header verifies.
  auto resigned = parts;
  resigned.signature = sign(resigned.header + "." + resigned.payload);
  CHECK(signer.verify(join(resigned), t0));
}

TEST_CASE("jwt: malformed tokens are refused") {
  TokenSigner signer(k_secret, 900s);
  auto t0 = now();
  auto token = signer.issue(sample_principal(), t0);
  auto parts = split(token);

  CHECK(signer.verify("", t0) == std::nullopt);
  CHECK(signer.verify("abc", t0) == std::nullopt);
  CHECK(signer.verify("a.b", t0) == std::nullopt);
  CHECK(signer.verify(token + ".extra", t0) == std::nullopt);
  CHECK(signer.verify(parts.header + ".!!!not-base64!!!." + parts.signature, t0) == std::nullopt);
  CHECK(signer.verify(parts.header + "." + parts.payload + ".%%%", t0) == std::nullopt);
  // Padding is not part of the format.
  CHECK(signer.verify(token + "=", t0) == std::nullopt);
}

TEST_CASE("jwt: a token signed with another secret is refused") {
  TokenSigner ours(k_secret, 900s);
  TokenSigner theirs("another-secret-of-the-same-length-0000000", 900s);
  auto t0 = now();
  CHECK(ours.verify(theirs.issue(sample_principal(), t0), t0) == std::nullopt);
  CHECK(theirs.verify(ours.issue(sample_principal(), t0), t0) == std::nullopt);
}

TEST_CASE("jwt: secrets of any length work") {
  for (std::string secret : {std::string("k"), std::string(200, 'x')}) {
    TokenSigner signer(secret, 60s);
    auto t0 = now();
    CHECK(signer.verify(signer.issue(sample_principal(), t0), t0));
  }
}
