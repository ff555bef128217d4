// Strict UTF-8, as PostgreSQL takes text (the CSV import and the request target check with it).
#include "core/utf8.hpp"

#include <catch2/catch.hpp>

using payrollx::is_valid_utf8;

TEST_CASE("utf8: strict validation") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("Zoë Þórunn 李 😀"));
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));              // never valid
  CHECK_FALSE(is_valid_utf8("\xC3"));              // truncated
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  CHECK_FALSE(
      is_valid_utf8("ab\x80"
                    "cd"));  // a lone continuation byte
}

TEST_CASE("utf8: a prefix never cuts a character in two") {
  using payrollx::utf8_prefix;
  CHECK(utf8_prefix("abc", 5) == "abc");
  CHECK(utf8_prefix("abc", 2) == "ab");
  CHECK(utf8_prefix("a\xC3\xA9"
                    "b",
                    2) == "a");  // é is two bytes
  CHECK(utf8_prefix("a\xC3\xA9"
                    "b",
                    3) == "a\xC3\xA9");
  CHECK(utf8_prefix("\xE2\x82\xAC\xE2\x82\xAC", 5) == "\xE2\x82\xAC");  // euro signs
  CHECK(utf8_prefix("\xF0\x9F\x92\xB0", 3).empty());
}
