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
