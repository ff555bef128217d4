// base64url without padding: JWT segments and list cursors rely on each value having one spelling.
#include "core/base64url.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace payrollx;

TEST_CASE("base64url: values round-trip, in their one spelling") {
  for (const std::string& bytes :
       {std::string(), std::string("f"), std::string("\xFF\x00\x7F", 3), std::string(32, '\xAB')})
    CHECK(base64url::decode(base64url::encode(bytes)) == bytes);
  CHECK(base64url::decode("_w") == std::string("\xFF"));
  CHECK_FALSE(base64url::decode("_x"));    // bits left over
  CHECK_FALSE(base64url::decode("_w=="));  // padding
  CHECK_FALSE(base64url::decode("+w"));    // the other alphabet
}

TEST_CASE("base64url: bytes outside the alphabet are refused, also above 0x7F") {
  // libsodium 1.0.18 alone decodes each of these as if it were '_'.
  CHECK_FALSE(base64url::decode("\xFFw"));
  CHECK_FALSE(base64url::decode("\x80w"));
  CHECK_FALSE(base64url::decode("AAA\x9A"));
}
